/** A small JSON client for tests: real HTTP through fetch, returns status, headers and parsed body. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw body (sent as is), for malformed-input tests. */
  raw?: string | Buffer;
}

export async function request<T = Record<string, unknown>>(
  method: string,
  url: string,
  opts: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  const ct = res.headers.get('content-type') ?? '';
  if (ct.includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Binds a base URL (and optionally a token) for brevity in tests. */
export function client(baseUrl: string, token?: string) {
  const call = <T = Record<string, unknown>>(method: string, path: string, opts: RequestOptions = {}) =>
    request<T>(method, baseUrl + path, { token, ...opts });
  return {
    get: <T = Record<string, unknown>>(path: string, opts?: RequestOptions) => call<T>('GET', path, opts),
    post: <T = Record<string, unknown>>(path: string, body?: unknown, opts?: RequestOptions) =>
      call<T>('POST', path, { ...opts, body }),
    put: <T = Record<string, unknown>>(path: string, body?: unknown, opts?: RequestOptions) =>
      call<T>('PUT', path, { ...opts, body }),
    patch: <T = Record<string, unknown>>(path: string, body?: unknown, opts?: RequestOptions) =>
      call<T>('PATCH', path, { ...opts, body }),
    delete: <T = Record<string, unknown>>(path: string, opts?: RequestOptions) =>
      call<T>('DELETE', path, opts),
    withToken: (t: string) => client(baseUrl, t),
  };
}
