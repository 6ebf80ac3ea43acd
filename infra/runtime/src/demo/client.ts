import { randomUUID } from 'node:crypto';

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

/** Unsafe methods: retried only under an Idempotency-Key, so a retry can never apply twice. */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long one call keeps retrying 429/503 (a store fail-over or a brief outage), honouring Retry-After. */
const RETRY_BUDGET_MS = 30_000;

export async function api<T = Record<string, unknown>>(
  method: string,
  url: string,
  opts: CallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  // One key per logical call, reused on every retry: the service replays the first answer.
  const key = opts.idempotencyKey ?? (UNSAFE.has(method) ? randomUUID() : undefined);
  if (key) headers['idempotency-key'] = key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const ok = opts.ok ?? ((s: number) => s >= 200 && s < 300);
  const deadline = Date.now() + RETRY_BUDGET_MS;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as unknown) : null;
    if (ok(res.status)) return body as T;
    const wait = retryDelayMs(res, body, attempt);
    if (wait === null || Date.now() + wait > deadline)
      throw new ApiError(res.status, body, `${method} ${url}`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * 429, 502-504 and "the first request with this key is still running" (409) are "not now": wait as the
 * server says (Retry-After, seconds), else back off. Everything else is final.
 */
function retryDelayMs(res: Response, body: unknown, attempt: number): number | null {
  const type = (body as { type?: unknown } | null)?.type;
  const inProgress =
    res.status === 409 && typeof type === 'string' && type.endsWith('/idempotency-request-in-progress');
  // 502/504: a gateway lost the replica (a pod being replaced); safe to retry under the same key.
  if (![429, 502, 503, 504].includes(res.status) && !inProgress) return null;
  const after = Number(res.headers.get('retry-after'));
  const backoff = Math.min(2_000, 100 * 2 ** (attempt - 1));
  return Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 5_000) : backoff;
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
