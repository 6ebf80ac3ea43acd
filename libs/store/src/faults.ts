/**
 * Fault switches for the embedded adapters, so tests (and the replica test bed) can make them as
 * unkind as MongoDB and Kafka are in production: transactions that lose a write conflict, a store or
 * bus that is down for a while. Off unless configured; zero cost when off.
 *
 * In code:   createEmbeddedStore({ faults: { conflictRate: 0.2, seed: 7 } });  store.faults.down(5_000)
 *            createEmbeddedBus({ faults: { down: { afterMs: 1_000, forMs: 5_000 } } });  bus.faults.up()
 * From env:  OMNI_FAULT_STORE_CONFLICT_RATE=0.2   OMNI_FAULT_SEED=7
 *            OMNI_FAULT_STORE_DOWN=60@10   (down for 60 s, starting 10 s after the adapter is created)
 *            OMNI_FAULT_BUS_DOWN=30        (down for 30 s from creation)
 */
export interface FaultOptions {
  /**
   * Fraction (0..1) of writes inside transactions that fail with a TransientTransactionError (a write
   * conflict, as MongoDB raises it) and abort their transaction. Single writes outside a
   * transaction never conflict (MongoDB retries those internally).
   */
  conflictRate?: number;
  /** Seed of the conflict dice: the same seed gives the same sequence of outcomes. Default 1. */
  seed?: number;
  /** An outage window relative to creation: every call fails with the adapter's transient error. */
  down?: { afterMs?: number; forMs: number };
}

/** mulberry32: small, fast, good enough to spread injected faults evenly. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultSwitch {
  /** Change at any time; 0 turns conflicts off. */
  conflictRate: number;
  private readonly random: () => number;
  private downFrom = 0;
  private downUntil = 0;

  constructor(opts: FaultOptions = {}) {
    this.conflictRate = opts.conflictRate ?? 0;
    if (!(this.conflictRate >= 0 && this.conflictRate <= 1))
      throw new RangeError(`conflictRate must be within 0..1, got ${opts.conflictRate}`);
    this.random = seededRandom(opts.seed ?? 1);
    if (opts.down) {
      this.downFrom = Date.now() + (opts.down.afterMs ?? 0);
      this.downUntil = this.downFrom + opts.down.forMs;
    }
  }

  /** Down for `ms` from now: every call fails with the adapter's "unavailable" (transient) error. */
  down(ms: number): void {
    this.downFrom = Date.now();
    this.downUntil = this.downFrom + ms;
  }

  /** Ends an outage now. */
  up(): void {
    this.downFrom = this.downUntil = 0;
  }

  get isDown(): boolean {
    const now = Date.now();
    return now >= this.downFrom && now < this.downUntil;
  }

  /** Milliseconds until the current outage ends (0 when up). */
  get downForMs(): number {
    return this.isDown ? this.downUntil - Date.now() : 0;
  }

  /** Conflicts injected so far (tests check that the faults they asked for really happened). */
  injectedConflicts = 0;

  /** One roll of the conflict dice: true = fail this transaction with a write conflict. */
  conflict(): boolean {
    const hit = this.conflictRate > 0 && this.random() < this.conflictRate;
    if (hit) this.injectedConflicts++;
    return hit;
  }
}

type Env = Record<string, string | undefined>;

/** "60" or "60@10" (seconds: down for 60, starting 10 after creation). */
function parseDown(name: string, value: string): FaultOptions['down'] {
  const m = /^(\d+(?:\.\d+)?)(?:@(\d+(?:\.\d+)?))?$/.exec(value.trim());
  if (!m) throw new Error(`${name} must be "<seconds>" or "<seconds>@<start after seconds>", got "${value}"`);
  return { forMs: Number(m[1]) * 1000, afterMs: m[2] ? Number(m[2]) * 1000 : 0 };
}

/**
 * Fault options for the embedded store or bus from the environment (see the module comment), or
 * undefined when none is set. Throws on malformed values: a fault test must not silently run clean.
 */
export function faultOptionsFromEnv(env: Env, target: 'store' | 'bus'): FaultOptions | undefined {
  const prefix = `OMNI_FAULT_${target.toUpperCase()}_`;
  const out: FaultOptions = {};
  const rate = env[`${prefix}CONFLICT_RATE`];
  if (rate !== undefined && rate !== '') {
    const n = Number(rate);
    if (!(n >= 0 && n <= 1)) throw new Error(`${prefix}CONFLICT_RATE must be within 0..1, got "${rate}"`);
    out.conflictRate = n;
  }
  const down = env[`${prefix}DOWN`];
  if (down) out.down = parseDown(`${prefix}DOWN`, down);
  if (out.conflictRate === undefined && !out.down) return undefined;
  if (env.OMNI_FAULT_SEED) {
    const seed = Number(env.OMNI_FAULT_SEED);
    if (!Number.isInteger(seed))
      throw new Error(`OMNI_FAULT_SEED must be an integer, got "${env.OMNI_FAULT_SEED}"`);
    out.seed = seed;
  }
  return out;
}
