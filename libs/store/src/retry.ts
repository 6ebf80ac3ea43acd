/**
 * How long a transaction keeps retrying transient failures (write conflicts, unknown commit
 * results). A hot document on MongoDB loses many write conflicts in a row under load; 5 tries
 * within ~100 ms turned those into 500s. Instead: exponential backoff with full jitter (so the
 * losers spread out instead of colliding again), for a bounded time.
 */
export interface RetryBudget {
  /** Give up after this long (from the first attempt). Default 5,000 ms. */
  budgetMs: number;
  /** First backoff ceiling. Default 2 ms. */
  initialDelayMs: number;
  /** Backoff ceiling. Default 200 ms. */
  maxDelayMs: number;
  /** Attempts at most (besides the time budget). Default unlimited. */
  maxAttempts: number;
}

export const DEFAULT_TRANSACTION_RETRY: RetryBudget = {
  budgetMs: 5_000,
  initialDelayMs: 2,
  maxDelayMs: 200,
  maxAttempts: Number.POSITIVE_INFINITY,
};

export function retryBudget(opts: { maxAttempts?: number; budgetMs?: number } = {}): RetryBudget {
  return {
    ...DEFAULT_TRANSACTION_RETRY,
    ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}),
    ...(opts.maxAttempts !== undefined ? { maxAttempts: Math.max(1, opts.maxAttempts) } : {}),
  };
}

/** Full-jitter delay before attempt `n + 1` (n ≥ 1 failed attempts so far). */
export function jitteredDelay(n: number, budget: RetryBudget): number {
  const ceiling = Math.min(budget.maxDelayMs, budget.initialDelayMs * 2 ** Math.min(n - 1, 30));
  return Math.random() * ceiling;
}

/**
 * Tracks one retry series: `next()` says whether another attempt fits (attempt count and time), and
 * waits the jittered delay first. The delay is cut short so the series never overruns the budget.
 */
export class RetrySeries {
  private readonly started = Date.now();
  attempts = 1;

  constructor(private readonly budget: RetryBudget) {}

  async next(): Promise<boolean> {
    if (this.attempts >= this.budget.maxAttempts) return false;
    const left = this.started + this.budget.budgetMs - Date.now();
    if (left <= 0) return false;
    const delay = Math.min(left, jitteredDelay(this.attempts, this.budget));
    if (delay >= 1) await new Promise((resolve) => setTimeout(resolve, delay));
    this.attempts++;
    return true;
  }
}
