import { createHmac } from 'node:crypto';

/**
 * Signed webhooks for customer notifications (pickup's and customers'): one JSON POST per message to a
 * deployment-configured URL (the messaging gateway), `idempotency-key` = the message id so a receiver
 * deduplicates retries, `x-omni-signature: sha256=<hex HMAC of the body>` when a secret is set, a
 * timeout per request and bounded retries with doubling backoff on network errors, timeouts, 408, 429
 * and 5xx. Another 4xx is permanent (the same body will not do better).
 */

export interface WebhookSenderOptions {
  url: string;
  /** Per-request timeout. Default 5 s. */
  timeoutMs?: number;
  /** Attempts per send (callers retry the whole send later too). Default 3. */
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

/** The signature header value of `body` under `secret` (receivers compute the same to verify). */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookSender {
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 200;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Resolves when the receiver answered 2xx; rejects with a WebhookError (retryable or not). */
  async send(id: string, payload: unknown): Promise<void> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': id };
    if (this.opts.secret) headers['x-omni-signature'] = webhookSignature(this.opts.secret, body);
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
