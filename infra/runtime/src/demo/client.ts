/** A tiny JSON-over-HTTP client for the demo and the end-to-end tests: real requests, like a storefront. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} → ${status}: ${JSON.stringify(body)}`);
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  idempotencyKey?: string;
  /** Statuses that count as success (default 2xx). */
  ok?: (status: number) => boolean;
}

export async function api<T = Record<string, unknown>>(
  method: string,
  url: string,
  opts: CallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  const ok = opts.ok ?? ((s: number) => s >= 200 && s < 300);
  if (!ok(res.status)) throw new ApiError(res.status, body, `${method} ${url}`);
  return body as T;
}

/** Polls until `probe` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
