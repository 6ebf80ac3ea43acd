import { hostname } from 'node:os';
import { isDuplicateKeyError, newId, type Collection, type Doc, type DocumentStore } from '@omni/store';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';

/**
 * Background jobs of a service, one mechanism for all of them (replaces hand-written timer loops).
 *
 * - `owner: 'lease'` — cluster-wide work (sweeps, expiries, housekeeping): of N replicas only the one
 *   holding the job's lease in the store runs it, so replicas never race the same documents. The
 *   lease carries a fence that grows on every change of owner; a run sees it and `stillOwner()`, and
 *   stops between items once the lease may have passed on.
 * - `owner: 'replica'` — work on this replica's own memory (caches, projections) or work that claims
 *   its items one at a time with its own fencing (the saga resume sweep): runs on every replica.
 *
 * One run at a time per job (a slow run is never overlapped), failures are logged and counted and the
 * next tick tries again, and stop() waits for runs in flight.
 */
export interface JobRun {
  /** Fence of the lease this run holds (0 for replica jobs). */
  fence: number;
  /** False once the lease may have passed to another replica: stop between items. */
  stillOwner(): boolean;
}

export interface JobSpec {
  name: string;
  everyMs: number;
  owner: 'lease' | 'replica';
  run(job: JobRun): Promise<unknown>;
  /**
   * Lease lifetime without renewal (a dead owner's work waits at most this). The lease is renewed
   * every min(everyMs, 5 s), whatever the job's period. Default 15 s, at least 3 renewals.
   */
  leaseMs?: number;
}

interface LeaseDoc extends Doc {
  _id: string;
  owner: string;
  /** Epoch ms after which the lease is free. */
  until: number;
  fence: number;
  /** Epoch ms of the last run by any owner, so a new owner keeps the job's period. */
  lastRunAt?: number;
}

interface Entry {
  spec: JobSpec;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  /** Local time until which we trust our lease (two thirds of its life: margin for skew and slow stores). */
  trustedUntil: number;
  fence: number;
  lastRunAt: number;
}

export const JOB_LEASES_COLLECTION = '_job_leases';

export class Jobs {
  /** Identifies this replica in job leases. */
  readonly owner = `${hostname()}:${process.pid}:${newId()}`;
  private readonly entries = new Map<string, Entry>();
  private readonly leases: Collection<LeaseDoc>;
  private started = false;
  private stopped = false;
  private readonly runs;
  private readonly duration;
  private readonly held;

  constructor(
    store: DocumentStore,
    private readonly log: Logger,
    metrics: Metrics,
  ) {
    this.leases = store.collection<LeaseDoc>({ name: JOB_LEASES_COLLECTION });
    this.runs = metrics.counter('job_runs_total', 'Background job runs by outcome (ok, failed, standby)', [
      'job',
      'outcome',
    ]);
    this.duration = metrics.histogram('job_run_seconds', 'Duration of background job runs', ['job']);
    this.held = metrics.gauge('job_lease_held', '1 while this replica holds the job lease', ['job']);
  }

  /** Declares a job; it starts ticking when the service starts (or at once if it already has). */
  every(spec: JobSpec): void {
    if (this.entries.has(spec.name)) throw new Error(`job ${spec.name} declared twice`);
    if (!(spec.everyMs > 0)) return; // 0 disables (tests drive the work by hand)
    const entry: Entry = { spec, trustedUntil: 0, fence: 0, lastRunAt: 0 };
    this.entries.set(spec.name, entry);
    if (this.started && !this.stopped) this.arm(entry);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of this.entries.values()) this.arm(e);
  }

  /** Stops ticking, waits for runs in flight, hands leases back so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const e of this.entries.values()) clearInterval(e.timer);
    await Promise.allSettled([...this.entries.values()].map((e) => e.running));
    for (const e of this.entries.values()) {
      if (e.spec.owner !== 'lease' || e.trustedUntil === 0) continue;
      e.trustedUntil = 0;
      this.held.set({ job: e.spec.name }, 0);
      await this.leases
        .updateOne({ _id: e.spec.name, owner: this.owner, fence: e.fence }, { $set: { until: 0 } })
        .catch((err: unknown) => this.log.warn({ err, job: e.spec.name }, 'releasing a job lease failed'));
    }
  }

  /** Runs a job once now (if this replica holds or can take its lease), whatever its period; resolves when done. */
  async runNow(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no job ${name}`);
    this.tick(e, true);
    await e.running;
  }

  /** Whether this replica currently holds the job's lease (always true for replica jobs). */
  isOwner(name: string): boolean {
    const e = this.entries.get(name);
    if (!e) return false;
    return e.spec.owner === 'replica' || Date.now() < e.trustedUntil;
  }

  private arm(e: Entry): void {
    // Lease jobs tick often enough to keep their lease alive; the work itself runs once per period.
    const every = e.spec.owner === 'lease' ? Math.min(e.spec.everyMs, 5_000) : e.spec.everyMs;
    // As a plain interval would: the first run one period after start (unless the lease says later).
    e.lastRunAt = Date.now();
    e.timer = setInterval(() => this.tick(e), every);
    e.timer.unref();
  }

  private tick(e: Entry, force = false): void {
    if (e.running || this.stopped) return;
    e.running = this.runOnce(e, force).finally(() => (e.running = undefined));
  }

  private async runOnce(e: Entry, force: boolean): Promise<void> {
    const job = e.spec.name;
    let mine: boolean;
    try {
      mine = e.spec.owner === 'replica' || (await this.holdLease(e));
    } catch (err) {
      this.runs.inc({ job, outcome: 'failed' });
      this.log.warn({ err, job }, 'job lease check failed');
      return;
    }
    if (!mine) {
      this.runs.inc({ job, outcome: 'standby' });
      return;
    }
    if (e.spec.owner === 'lease' && !force && Date.now() - e.lastRunAt < e.spec.everyMs) return;
    const t0 = performance.now();
    try {
      await e.spec.run({
        fence: e.fence,
        stillOwner: () => !this.stopped && (e.spec.owner === 'replica' || Date.now() < e.trustedUntil),
      });
      this.runs.inc({ job, outcome: 'ok' });
      if (e.spec.owner === 'lease') await this.recordRun(e);
    } catch (err) {
      this.runs.inc({ job, outcome: 'failed' });
      this.log.error({ err, job }, 'background job failed; retried on the next tick');
    } finally {
      this.duration.observe({ job }, (performance.now() - t0) / 1000);
    }
  }

  /** Notes the run in the lease (fenced), so whoever owns the job next keeps its period. */
  private async recordRun(e: Entry): Promise<void> {
    e.lastRunAt = Date.now();
    await this.leases
      .updateOne(
        { _id: e.spec.name, owner: this.owner, fence: e.fence },
        { $set: { lastRunAt: e.lastRunAt } },
      )
      .catch((err: unknown) => this.log.warn({ err, job: e.spec.name }, 'recording a job run failed'));
  }

  /** Renews our lease, or takes a free one (fence + 1). One conditional write either way. */
  private async holdLease(e: Entry): Promise<boolean> {
    const leaseMs = e.spec.leaseMs ?? Math.max(15_000, 3 * Math.min(e.spec.everyMs, 5_000));
    const now = Date.now();
    const until = now + leaseMs;
    const trust = (fence: number, lastRunAt: number | undefined): true => {
      e.lastRunAt = Math.max(e.lastRunAt, lastRunAt ?? 0);
      e.fence = fence;
      e.trustedUntil = now + (leaseMs * 2) / 3;
      this.held.set({ job: e.spec.name }, 1);
      return true;
    };
    if (e.trustedUntil > 0) {
      const renewed = await this.leases.findOneAndUpdate(
        { _id: e.spec.name, owner: this.owner, fence: e.fence },
        { $set: { until } },
        { returnDocument: 'after' },
      );
      if (renewed) return trust(renewed.fence, renewed.lastRunAt);
    }
    e.trustedUntil = 0;
    this.held.set({ job: e.spec.name }, 0);
    const taken = await this.leases.findOneAndUpdate(
      { _id: e.spec.name, until: { $lt: now } },
      { $set: { owner: this.owner, until }, $inc: { fence: 1 } },
      { returnDocument: 'after' },
    );
    if (taken) return trust(taken.fence, taken.lastRunAt);
    try {
      await this.leases.insertOne({ _id: e.spec.name, owner: this.owner, until, fence: 1 });
      return trust(1, 0);
    } catch (err) {
      if (isDuplicateKeyError(err)) return false; // another replica holds it
      throw err;
    }
  }
}
