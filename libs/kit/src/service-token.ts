import { UnavailableError } from './errors';

export interface ClientCredentials {
  /** Base URL of the identity service, e.g. http://identity:8087. */
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  /** Optional narrower scope than the client's own. */
  scope?: string;
  /** Refresh this long before expiry. Default 60 s. */
  refreshBeforeSeconds?: number;
  /** Request timeout. Default 5 s. */
  timeoutMs?: number;
}

/**
 * A service's own bearer token for service-to-service calls, got with the OAuth2 client-credentials
 * grant from identity and cached until shortly before it expires. Concurrent callers share one
 * request; a failure is not cached, so the next call retries.
 */
export function clientCredentialsTokenSource(c: ClientCredentials): () => Promise<string> {
  let cached: { token: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const res = await fetch(`${c.identityUrl.replace(/\/$/, '')}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret,
        ...(c.scope ? { scope: c.scope } : {}),
      }),
      signal: AbortSignal.timeout(c.timeoutMs ?? 5_000),
    }).catch((err: unknown) => {
      throw new UnavailableError(`identity unreachable for client credentials: ${(err as Error).message}`);
    });
    if (!res.ok)
      throw new UnavailableError(`identity refused client credentials for ${c.clientId}: HTTP ${res.status}`);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token || !body.expires_in)
      throw new UnavailableError('identity answered without a token');
    const refreshIn = Math.max(1, body.expires_in - (c.refreshBeforeSeconds ?? 60));
    cached = { token: body.access_token, refreshAt: Date.now() + refreshIn * 1000 };
    return body.access_token;
  };
  return async () => {
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}
