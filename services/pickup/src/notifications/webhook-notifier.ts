import { createHmac } from 'node:crypto';
import type { CustomerNotification, Notifier } from './port';

export interface WebhookNotifierOptions {
  url: string;
  /** Per-request timeout. Default 5 s. */
  timeoutMs?: number;
  /** Attempts per send (the dispatcher retries the whole send later too). Default 3. */
  attempts?: number;
  /** Delay before the 2nd attempt, doubled after each. Default 200 ms. */
  backoffMs?: number;
  /** When set, the body is signed: `x-omni-signature: sha256=<hex HMAC>`. */
  secret?: string;
  fetch?: typeof fetch;
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

/**
 * POSTs the notification as JSON to a deployment-configured URL (the messaging gateway), with a
 * timeout per request and bounded retries on network errors, timeouts, 429 and 5xx. A 4xx other than
 * 408/429 is a permanent failure (retrying the same body will not help).
 */
export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: WebhookNotifierOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 200;
    this.fetchFn = opts.fetch ?? fetch;
  }

  async send(n: CustomerNotification): Promise<void> {
    const body = JSON.stringify({ type: `pickup.${n.kind}`, ...n });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': n.id };
    if (this.opts.secret)
      headers['x-omni-signature'] =
        `sha256=${createHmac('sha256', this.opts.secret).update(body).digest('hex')}`;
    let last: WebhookError = new WebhookError('not sent', true);
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 2)));
      try {
        const res = await this.fetchFn(this.opts.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
        last = new WebhookError(`webhook answered ${res.status}`, retryable);
        if (!retryable) throw last;
      } catch (err) {
        if (err instanceof WebhookError && !err.retryable) throw err;
        last =
          err instanceof WebhookError
            ? err
            : new WebhookError(
                `webhook failed: ${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message}`,
                true,
              );
      }
    }
    throw last;
  }
}
