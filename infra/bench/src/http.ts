import { request } from 'undici';

/** A JSON call made by the bench itself (seeding, verification) — never part of a measured load. */
export interface JsonResponse<T> {
  status: number;
  body: T;
}

export async function callJson<T = unknown>(
  url: string,
  token: string | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const res = await request(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (an HTML error page, say): keep the text for the error message.
  }
  return { status: res.statusCode, body: parsed as T };
}

/** Like callJson, but anything outside `ok` statuses is an error naming the call. */
export async function expectJson<T = unknown>(
  url: string,
  token: string | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  body: unknown,
  ok: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<T> {
  const res = await callJson<T>(url, token, method, body);
  if (!ok(res.status)) {
    throw new Error(`${method} ${url} → ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return res.body;
}

/** Runs `fn` over items with at most `limit` in flight (seeding hundreds of locations). */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

/** Every page of a cursor-paginated list endpoint (`{items, nextCursor}`). */
export async function listAll<T>(url: string, token: string, limit = 200): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await expectJson(
      `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token,
      'GET',
      undefined,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
