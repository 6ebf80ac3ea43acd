import { setMaxListeners } from 'node:events';
import { newId, type Collection } from '@omni/store';
import type { Counter, Histogram } from 'prom-client';
import type { Lease, OrderDoc, QueuedWork, WorkflowName } from '../domain/types';
import type { Outcome } from '../domain/outcome';
import type { OrderRepository } from '../store/order-repository';
import { classify, StepTimeoutError, type StepContext, type StepEnv, type Workflow } from './types';

/**
 * Runs each order's workflows, one at a time per order, step by step, persisting the position after
 * every step so that any instance can resume after a crash.
 *
 * Ownership: before working on an order the runner takes its lease (owner + expiry + fence). The lease
 * is extended before each step attempt to cover the attempt's deadline, so an instance that died
 * mid-step loses the order once the deadline (plus slack) passed and a restarted instance takes over;
 * every saga write checks owner and fence, so a stale instance that wakes up late cannot write.
 *
 * Leases and backoff use the wall clock (they are about processes), domain times use `clock`.
 */

export interface RunnerMetrics {
  stepDuration: Histogram<'workflow' | 'step' | 'outcome'>;
  workflows: Counter<'workflow' | 'outcome'>;
  compensationRetries: Counter<'workflow' | 'step'>;
}

class LeaseLostError extends Error {
  constructor(orderId: string) {
    super(`lease on order ${orderId} lost to another instance`);
    this.name = 'LeaseLostError';
  }
}

export class SagaRunner {
  readonly instanceId = `orders-${newId()}`;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private readonly shutdown = new AbortController();
  private stopping = false;
  /**
   * Orders as this instance last wrote them where that write also began the next step's attempt
   * (counted it and extended the lease over its deadline), so `advance` calls out without another
   * write: one order write per step instead of two. Crash semantics are those of a crash right
   * after the separate attempt write: the attempt is counted, the lease covers it.
   */
  private readonly attemptBegun = new WeakSet<OrderDoc>();

  constructor(
    private readonly repo: OrderRepository,
    private readonly orders: Collection<OrderDoc>,
    private readonly env: StepEnv,
    private readonly workflows: Record<WorkflowName, Workflow>,
    private readonly metrics: RunnerMetrics,
  ) {
    // Every in-flight step listens for shutdown; hundreds at once are expected.
    setMaxListeners(0, this.shutdown.signal);
  }

  /** Resumes every unfinished saga now; the periodic sweep is a kit job calling resumeAll(). */
  async start(): Promise<void> {
    this.stopping = false;
    await this.resumeAll();
  }

  /** Stops taking work, aborts waits and in-flight steps, and hands leases back for a quick takeover. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.shutdown.abort(new Error('orders service stopping'));
    for (const wake of [...this.sleepers]) wake();
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Runs the order's pending work until it is idle (or must wait for a lease or a backoff). Calls for
   * an order already being driven join that run (which then looks again before finishing).
   */
  drive(orderId: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const current = this.running.get(orderId);
    if (current) {
      this.again.add(orderId);
      return current;
    }
    const run = this.loop(orderId).finally(() => this.running.delete(orderId));
    this.running.set(orderId, run);
    return run;
  }

  /** Drive soon, outside the caller's transaction (event handlers call this after enqueuing). */
  kick(orderId: string): void {
    if (this.stopping) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.drive(orderId).catch((err: unknown) => this.env.log.error({ err, orderId }, 'saga run failed'));
    }, 0);
    this.timers.add(t);
  }

  /**
   * Finds every order with unfinished work whose lease is free (or ours) and drives it. Every
   * replica sweeps: the query skips orders leased by others and pages through the rest in `_id`
   * order (a fixed first page would resume the same orders forever once more are active), and each
   * order is claimed one at a time with a fenced lease, so no two replicas run one saga.
   */
  async resumeAll(): Promise<number> {
    if (this.stopping) return 0;
    const now = Date.now();
    const page = this.env.timings.resumeBatch ?? 1000;
    let started = 0;
    let after: string | null = null;
    for (;;) {
      const candidates: Array<Pick<OrderDoc, '_id'>> = await this.orders.find(
        {
          active: true,
          ...(after ? { _id: { $gt: after } } : {}),
          $or: [{ lease: null }, { 'lease.owner': this.instanceId }, { 'lease.until': { $lte: now } }],
        },
        { sort: { _id: 1 }, limit: page, projection: { _id: 1 } },
      );
      for (const o of candidates) {
        if (this.stopping) return started;
        if (this.running.has(o._id)) continue;
        started++;
        this.drive(o._id).catch((err: unknown) =>
          this.env.log.error({ err, orderId: o._id }, 'saga resume failed'),
        );
      }
      if (candidates.length < page) return started;
      after = candidates[candidates.length - 1]!._id;
    }
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Orders being driven by this instance right now. */
  get inFlight(): number {
    return this.running.size;
  }

  private async loop(orderId: string): Promise<void> {
    do {
      this.again.delete(orderId);
      try {
        await this.pass(orderId);
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.env.log.warn({ orderId }, err.message);
          return;
        }
        if (this.stopping) return;
        this.env.log.error({ err, orderId }, 'saga pass failed; will be resumed');
        await this.sleep(this.env.timings.retryBaseMs);
      }
    } while (this.again.has(orderId) && !this.stopping);
  }

  private async pass(orderId: string): Promise<void> {
    const claimed = await this.claim(orderId);
    if (!claimed) return;
    let order: OrderDoc | null = claimed.order;
    const lease = claimed.lease;
    while (order && !this.stopping) order = await this.advance(order, lease);
    if (this.stopping && order) await this.release(orderId, lease).catch(() => undefined);
  }

  private async claim(orderId: string): Promise<{ order: OrderDoc; lease: Lease } | null> {
    const now = Date.now();
    let lease: Lease | null = null;
    let busyUntil = 0;
    const order = await this.repo.update(orderId, (o) => {
      lease = null;
      busyUntil = 0;
      if (!o.saga && o.queue.length === 0) {
        return o.active ? { order: { ...o, active: false, lease: null } } : null;
      }
      if (o.lease && o.lease.owner !== this.instanceId && o.lease.until > now) {
        busyUntil = o.lease.until;
        return null;
      }
      lease = { owner: this.instanceId, until: now + this.leaseMs(0), fence: (o.lease?.fence ?? 0) + 1 };
      return { order: { ...o, active: true, lease } };
    });
    if (busyUntil > 0) this.retryAt(orderId, busyUntil);
    return order && lease ? { order, lease } : null;
  }

  /** One move: start queued work, run or compensate one step, or finish. Null when idle. */
  private async advance(o: OrderDoc, lease: Lease): Promise<OrderDoc | null> {
    const now = (): string => this.env.clock().toISOString();
    const saga = o.saga;
    if (!saga) {
      const head = o.queue[0];
      if (!head) {
        await this.release(o._id, lease);
        return null;
      }
      return this.writeAndBeginAttempt(o._id, lease, (x) => this.startNext(x, now()));
    }
    const wf = this.workflows[saga.workflow];
    const forward = saga.phase === 'forward';
    if (forward && saga.step >= wf.steps.length) {
      this.metrics.workflows.inc({ workflow: wf.name, outcome: 'completed' });
      return this.finishAndMaybeRelease(o._id, lease, (x) => wf.completed(x, x.saga!.params, now()));
    }
    if (!forward && saga.step < 0) {
      this.metrics.workflows.inc({ workflow: wf.name, outcome: 'compensated' });
      return this.finishAndMaybeRelease(o._id, lease, (x) =>
        wf.failed(x, x.saga!.params, x.saga!.failure!, now()),
      );
    }
    const step = wf.steps[saga.step]!;
    const action = forward ? step.run : step.compensate;
    if (!action || (step.when && !step.when(o))) {
      return this.write(o._id, lease, (x) => ({ order: moveStep(x, forward ? 1 : -1) }));
    }

    // One attempt: count it and extend the lease over backoff + deadline before calling out.
    const timeoutMs = this.env.timings.stepTimeoutMs;
    // Taken once: a retry of this step counts its own attempt (and backs off) as before.
    const begun = this.attemptBegun.delete(o);
    const backoff = !begun && saga.attempts > 0 ? this.backoffMs(saga.attempts) : 0;
    const started = begun
      ? o
      : await this.write(o._id, lease, (x) => ({
          order: {
            ...x,
            saga: { ...x.saga!, attempts: x.saga!.attempts + 1 },
            lease: { ...lease, until: Date.now() + backoff + this.leaseMs(timeoutMs) },
          },
        }));
    if (!started) return null;
    if (backoff > 0) await this.sleep(backoff);
    if (this.stopping) return started;

    const t0 = performance.now();
    let reducer: ((x: OrderDoc) => OrderDoc) | void;
    try {
      reducer = await this.withDeadline(step.name, timeoutMs, (signal, deadline) =>
        action(this.context(o._id, lease, signal, deadline, saga.failure), started),
      );
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      if (this.stopping) return started;
      const f = classify(err, step.name);
      const attempts = started.saga!.attempts;
      this.metrics.stepDuration.observe(
        { workflow: wf.name, step: step.name, outcome: f.transient ? 'retry' : 'failed' },
        (performance.now() - t0) / 1000,
      );
      if (!forward) {
        // A compensation never gives up: a leaked reservation or authorisation is worse than a slow undo.
        this.metrics.compensationRetries.inc({ workflow: wf.name, step: step.name });
        this.env.log.error(
          { orderId: o._id, workflow: wf.name, step: step.name, attempts, failure: f },
          'compensation failed; retrying',
        );
        return started;
      }
      if (f.transient && (wf.retryForever || attempts < this.env.timings.maxStepAttempts)) {
        this.env.log.warn(
          { orderId: o._id, workflow: wf.name, step: step.name, attempts, failure: f },
          'saga step failed; retrying',
        );
        return started;
      }
      this.env.log.warn(
        { orderId: o._id, workflow: wf.name, step: step.name, attempts, failure: f },
        'saga step failed; compensating',
      );
      const failure = { step: f.step, code: f.code, reason: f.reason };
      // The failed step is compensated too: its outcome may be unknown (a timeout after the effect).
      return this.write(o._id, lease, (x) => ({
        order: { ...x, saga: { ...x.saga!, phase: 'compensating', failure, attempts: 0 } },
      }));
    }
    this.metrics.stepDuration.observe(
      { workflow: wf.name, step: step.name, outcome: forward ? 'done' : 'compensated' },
      (performance.now() - t0) / 1000,
    );
    return this.writeAndBeginAttempt(o._id, lease, (x) => ({
      order: moveStep(reducer ? reducer(x) : x, forward ? 1 : -1),
    }));
  }

  /**
   * A saga write that, when the order's next move is running a step (not a skip, not the end),
   * also begins that attempt: counts it and extends the lease over backoff-free deadline, exactly
   * as `advance` would in a write of its own just after.
   */
  private async writeAndBeginAttempt(
    orderId: string,
    lease: Lease,
    change: (x: OrderDoc) => Outcome,
  ): Promise<OrderDoc | null> {
    let begun = false;
    const saved = await this.write(orderId, lease, (x) => {
      const out = change(x);
      begun = this.runsStepNext(out.order);
      if (!begun) return out;
      const timeoutMs = this.env.timings.stepTimeoutMs;
      return {
        ...out,
        order: {
          ...out.order,
          saga: { ...out.order.saga!, attempts: 1 },
          lease: { ...lease, until: Date.now() + this.leaseMs(timeoutMs) },
        },
      };
    });
    if (saved && begun) this.attemptBegun.add(saved);
    return saved;
  }

  /** The next `advance` of this order runs a step's first attempt. */
  private runsStepNext(x: OrderDoc): boolean {
    const saga = x.saga;
    if (!saga || saga.attempts !== 0) return false;
    const wf = this.workflows[saga.workflow];
    const forward = saga.phase === 'forward';
    if (forward ? saga.step >= wf.steps.length : saga.step < 0) return false;
    const step = wf.steps[saga.step]!;
    const action = forward ? step.run : step.compensate;
    return Boolean(action) && (!step.when || step.when(x));
  }

  /**
   * Ends the workflow; when nothing else is queued, hands the lease back in the same write (what
   * `release` would do next). Null when released (idle), else the order to go on with.
   */
  private async finishAndMaybeRelease(
    orderId: string,
    lease: Lease,
    end: (x: OrderDoc) => Outcome,
  ): Promise<OrderDoc | null> {
    let released = false;
    const saved = await this.write(orderId, lease, (x) => {
      const out = finish(end(x));
      released = !out.order.saga && out.order.queue.length === 0;
      if (!released) return out;
      // Keep the fence so a later owner's fence is always higher (as release does).
      return { ...out, order: { ...out.order, active: false, lease: { ...lease, until: 0 } } };
    });
    return released ? null : saved;
  }

  private startNext(x: OrderDoc, now: string): Outcome {
    const head = x.queue[0] as QueuedWork;
    const rest = x.queue.slice(1);
    const wf = this.workflows[head.workflow];
    const verdict = wf.accepts(x, head.params);
    if (verdict !== true) {
      this.env.log.info(
        { orderId: x._id, workflow: head.workflow, key: head.key, why: verdict },
        'queued work no longer applies; dropped',
      );
      this.metrics.workflows.inc({ workflow: head.workflow, outcome: 'dropped' });
      return { order: { ...x, queue: rest } };
    }
    const base = wf.start ? wf.start(x, head.params, now) : x;
    return {
      order: {
        ...base,
        queue: rest,
        saga: {
          id: newId(),
          workflow: head.workflow,
          key: head.key,
          params: head.params,
          phase: 'forward',
          step: 0,
          attempts: 0,
          startedAt: now,
        },
      },
    };
  }

  private context(
    orderId: string,
    lease: Lease,
    signal: AbortSignal,
    deadline: number,
    failure: StepContext['failure'],
  ): StepContext {
    return {
      ...this.env,
      signal,
      failure,
      remainingMs: () => Math.max(1, deadline - Date.now()),
      save: async (change) => {
        const saved = await this.write(orderId, lease, (x) => ({ order: change(x) }));
        if (!saved) throw new LeaseLostError(orderId);
        return saved;
      },
    };
  }

  /** A saga write: only while this instance holds the lease with this fence. */
  private async write(
    orderId: string,
    lease: Lease,
    change: (x: OrderDoc) => Outcome,
  ): Promise<OrderDoc | null> {
    let lost = false;
    const saved = await this.repo.update(orderId, (x) => {
      lost = !x.lease || x.lease.owner !== lease.owner || x.lease.fence !== lease.fence;
      return lost ? null : change(x);
    });
    if (lost) throw new LeaseLostError(orderId);
    return saved;
  }

  private async release(orderId: string, lease: Lease): Promise<void> {
    await this.repo.update(orderId, (x) => {
      if (!x.lease || x.lease.owner !== lease.owner || x.lease.fence !== lease.fence) return null;
      const idle = !x.saga && x.queue.length === 0;
      // Keep the fence so a later owner's fence is always higher.
      return { order: { ...x, active: !idle, lease: { ...x.lease, until: 0 } } };
    });
  }

  private async withDeadline<T>(
    step: string,
    ms: number,
    fn: (signal: AbortSignal, deadline: number) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const onShutdown = (): void => controller.abort(this.shutdown.signal.reason);
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = Date.now() + ms;
    try {
      return await Promise.race([
        fn(controller.signal, deadline),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const err = new StepTimeoutError(step, ms);
            controller.abort(err);
            reject(err);
          }, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  private leaseMs(stepTimeoutMs: number): number {
    return stepTimeoutMs + this.env.timings.leaseSlackMs;
  }

  private backoffMs(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.env.timings;
    const exp = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(20, attempts - 1));
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  private retryAt(orderId: string, epochMs: number): void {
    if (this.stopping) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.drive(orderId).catch((err: unknown) => this.env.log.error({ err, orderId }, 'saga run failed'));
      },
      Math.max(0, epochMs - Date.now()) + 5,
    );
    t.unref();
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function moveStep(x: OrderDoc, by: 1 | -1): OrderDoc {
  return { ...x, saga: { ...x.saga!, step: x.saga!.step + by, attempts: 0 } };
}

/** The workflow is over: clear it; the order stays active while more work is queued. */
function finish(out: Outcome): Outcome {
  return { ...out, order: { ...out.order, saga: null, active: out.order.queue.length > 0 } };
}
