import { StartupError } from '@omni/store';

/**
 * How a standalone main.ts ends when start() fails: a StartupError (bad MONGO_URL / KAFKA_BROKERS,
 * a standalone mongod, a missing topic in OMNI_TOPICS=verify mode) is one line naming the variable
 * and what was tried — what an operator reads in `kubectl logs` — anything else keeps its stack.
 */
export function failStartup(service: string, err: unknown): never {
  if (err instanceof StartupError) console.error(`${service}: cannot start: ${err.message}`);
  else console.error(`${service}: cannot start:`, err);
  process.exit(1);
}

/**
 * A clock `skewMs` ahead of (or, negative, behind) the system clock: for the replica test bed, so
 * replicas disagree about time as real nodes do. Pass it as a service's `clock` dependency.
 */
export function skewedClock(skewMs: number, base: () => Date = () => new Date()): () => Date {
  if (skewMs === 0) return base;
  return () => new Date(base().getTime() + skewMs);
}

/** The system clock shifted by OMNI_CLOCK_SKEW_MS (milliseconds, may be negative), if set. */
export function clockFromEnv(env: Record<string, string | undefined> = process.env): () => Date {
  const raw = env.OMNI_CLOCK_SKEW_MS;
  if (!raw) return () => new Date();
  const skew = Number(raw);
  if (!Number.isInteger(skew)) throw new Error(`OMNI_CLOCK_SKEW_MS must be an integer, got "${raw}"`);
  return skewedClock(skew);
}
