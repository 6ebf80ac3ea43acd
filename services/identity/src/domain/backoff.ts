/**
 * Failed sign-in attempts slow the next ones down: the first `freeFailures` cost nothing, then each
 * further failure doubles the wait (from `baseDelayMs`, capped at `maxDelayMs`), and at `lockAfter`
 * failures the key is locked for `lockMs`. Counters forget failures older than `resetAfterMs`.
 */
export interface BackoffPolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures that lock (accounts); undefined = never lock, only back off (IP addresses). */
  lockAfter?: number;
  lockMs: number;
  resetAfterMs: number;
}

export const DEFAULT_ACCOUNT_BACKOFF: BackoffPolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
  resetAfterMs: 60 * 60_000,
};

export const DEFAULT_IP_BACKOFF: BackoffPolicy = {
  freeFailures: 30,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  lockMs: 0,
  resetAfterMs: 60 * 60_000,
};

export type Penalty = { kind: 'none' } | { kind: 'backoff'; ms: number } | { kind: 'locked'; ms: number };

/** What follows after `failures` consecutive failures. */
export function penaltyAfter(failures: number, p: BackoffPolicy): Penalty {
  if (p.lockAfter !== undefined && failures >= p.lockAfter) return { kind: 'locked', ms: p.lockMs };
  if (failures < p.freeFailures) return { kind: 'none' };
  const exponent = Math.min(failures - p.freeFailures, 30);
  return { kind: 'backoff', ms: Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** exponent) };
}
