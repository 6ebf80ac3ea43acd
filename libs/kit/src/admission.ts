import type { App } from './app';
import { AppError } from './errors';
import type { Metrics } from './metrics';

/**
 * Overload admission at the edge. Past capacity a queue only grows: every request waits longer
 * and, in the end, all of them time out. Instead a request is refused at once (503 problem+json
 * with Retry-After, before authentication or body parsing, so a refusal costs almost nothing) when
 * - more than `maxInFlight` requests of this service are being served, or
 * - the event loop is late by more than `maxLoopDelayMs` (a moving average of a timer's lateness,
 *   sampled every `sampleMs`): the process has more work queued than it can turn around; in the
 *   all-in-one runtime the loop is shared, so every service's edge sees the whole process's load;
 * - with `targetLatencyMs`, more requests are in flight than an adaptive limit (AIMD, as TCP and
 *   Netflix's concurrency-limits): a response slower than the target cuts the limit by the factor
 *   target/latency, kept between 0.5 and 0.9 (at most once per target period); a fast one while the
 *   limit is half used raises it by one. By Little's law this bounds the accepted requests' latency near the target whatever the capacity,
 *   which the loop delay alone does not: a burst is admitted in one loop turn before it shows.
 * Ops routes (/livez, /readyz, /metrics, /docs) are always admitted: an orchestrator must see an
 * overloaded pod as alive. Counted in `http_admission_total{outcome,reason}`.
 */
export interface AdmissionOptions {
  /** Requests served at once, at most. Default OMNI_ADMISSION_MAX_IN_FLIGHT, else 2048. */
  maxInFlight?: number;
  /** Event-loop delay (ms) past which requests are refused; 0 = off. Default OMNI_ADMISSION_MAX_LOOP_DELAY_MS, else off. */
  maxLoopDelayMs?: number;
  /** Sampling interval of the loop-delay probe. Default 20 ms. */
  sampleMs?: number;
  /** Latency (ms) the adaptive in-flight limit aims at; 0 = off. Default OMNI_ADMISSION_TARGET_LATENCY_MS, else off. */
  targetLatencyMs?: number;
  /** Floor of the adaptive limit. Default 4. */
  minInFlight?: number;
  /** Retry-After of a refusal, seconds. Default 1. */
  retryAfterSeconds?: number;
}

const EXEMPT = /^\/(livez|readyz|metrics|docs)(\/|\?|$)/;

function fromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, got ${raw}`);
  return n;
}

export function admissionOptionsFromEnv(opts: AdmissionOptions = {}): Required<AdmissionOptions> {
  return {
    maxInFlight: opts.maxInFlight ?? fromEnv('OMNI_ADMISSION_MAX_IN_FLIGHT', 2048),
    maxLoopDelayMs: opts.maxLoopDelayMs ?? fromEnv('OMNI_ADMISSION_MAX_LOOP_DELAY_MS', 0),
    sampleMs: opts.sampleMs ?? 20,
    targetLatencyMs: opts.targetLatencyMs ?? fromEnv('OMNI_ADMISSION_TARGET_LATENCY_MS', 0),
    minInFlight: opts.minInFlight ?? 4,
    retryAfterSeconds: opts.retryAfterSeconds ?? 1,
  };
}

/**
 * How late the event loop runs: a timer due every `sampleMs` measures how late it fired, smoothed
 * (the mean of the last few samples, weighted to the newest) so one long tick does not refuse
 * traffic for long, and a loop that stays late keeps it refused.
 */
export class LoopDelayProbe {
  private delay = 0;
  private timer: NodeJS.Timeout | null = null;
  private expected = 0;

  constructor(
    private readonly sampleMs: number,
    private readonly onSample: (delayMs: number) => void = () => undefined,
  ) {}

  start(): void {
    if (this.timer) return;
    this.expected = performance.now() + this.sampleMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - this.expected);
      this.expected = now + this.sampleMs;
      this.delay = this.delay * 0.5 + late * 0.5;
      this.onSample(this.delay);
    }, this.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.delay = 0;
  }

  /** Smoothed lateness of the loop, ms. */
  get delayMs(): number {
    return this.delay;
  }
}

export class OverloadedError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, 'overloaded', 'Service overloaded', {
      detail,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

export interface Admission {
  readonly inFlight: () => number;
  /** The adaptive in-flight limit now (maxInFlight when no target latency is set). */
  readonly limit: () => number;
  /** The limits in force now. */
  readonly limits: () => Readonly<Required<AdmissionOptions>>;
  /** Changes limits at run time (the bench's overload step; an operator's knob). */
  configure(options: AdmissionOptions): void;
  start(): void;
  stop(): void;
}

/** Registers the admission hook; call before the auth hooks so a refusal skips token verification. */
export function registerAdmission(app: App, metrics: Metrics, options: AdmissionOptions = {}): Admission {
  const o = admissionOptionsFromEnv(options);
  let running = false;
  const counter = metrics.counter('http_admission_total', 'Requests admitted or refused at the edge', [
    'outcome',
    'reason',
  ]);
  const delayGauge = metrics.gauge(
    'http_admission_loop_delay_ms',
    'Smoothed event-loop delay seen by admission',
  );
  let probe = new LoopDelayProbe(o.sampleMs, (ms) => delayGauge.set(ms));
  // The probe's timer runs only while a loop-delay limit is set.
  const syncProbe = () => {
    if (running && o.maxLoopDelayMs > 0) probe.start();
    else probe.stop();
  };
  const limitGauge = metrics.gauge('http_admission_limit', 'Requests admitted at once, at most, now');
  let inFlight = 0;
  // The adaptive limit starts generous and is cut by slow responses (see the header comment).
  let limit = o.maxInFlight;
  let lastCut = 0;
  const currentLimit = () => (o.targetLatencyMs > 0 ? Math.min(limit, o.maxInFlight) : o.maxInFlight);
  const completed = (startedAt: number) => {
    if (o.targetLatencyMs <= 0) return;
    const now = performance.now();
    if (now - startedAt > o.targetLatencyMs) {
      if (now - lastCut >= o.targetLatencyMs) {
        lastCut = now;
        // Cut by the overshoot (gradient), between a tenth and a half: a limit far above capacity
        // comes down in a few target periods, not dozens.
        const factor = Math.min(0.9, Math.max(0.5, o.targetLatencyMs / (now - startedAt)));
        limit = Math.max(o.minInFlight, Math.min(limit, inFlight + 1) * factor);
      }
    } else if (inFlight * 2 >= limit) {
      limit = Math.min(o.maxInFlight, limit + 1);
    }
    limitGauge.set(Math.floor(currentLimit()));
  };

  app.addHook('onRequest', (req, reply, done) => {
    if (EXEMPT.test(req.url)) {
      done();
      return;
    }
    let reason: string | null = null;
    if (inFlight >= currentLimit()) reason = 'in-flight';
    else if (o.maxLoopDelayMs > 0 && probe.delayMs > o.maxLoopDelayMs) reason = 'loop-delay';
    if (reason) {
      counter.inc({ outcome: 'refused', reason });
      done(
        new OverloadedError(
          reason === 'in-flight'
            ? `more than ${Math.floor(currentLimit())} requests in flight; retry later`
            : 'the service is behind on its work; retry later',
          o.retryAfterSeconds,
        ),
      );
      return;
    }
    counter.inc({ outcome: 'admitted', reason: '' });
    inFlight++;
    const startedAt = performance.now();
    // 'close' comes once per response, finished or cut off by the client.
    reply.raw.once('close', () => {
      inFlight--;
      completed(startedAt);
    });
    done();
  });

  return {
    inFlight: () => inFlight,
    limit: () => Math.floor(currentLimit()),
    limits: () => ({ ...o }),
    configure(options) {
      const sampleMs = options.sampleMs ?? o.sampleMs;
      if (sampleMs !== o.sampleMs) {
        probe.stop();
        probe = new LoopDelayProbe(sampleMs, (ms) => delayGauge.set(ms));
      }
      Object.assign(o, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
      syncProbe();
    },
    start: () => {
      running = true;
      syncProbe();
    },
    stop: () => {
      running = false;
      syncProbe();
    },
  };
}
