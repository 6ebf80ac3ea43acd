import { normaliseLoginName } from '../domain/login-name';
import { sha256Equals } from '../domain/opaque-token';
import { signAccessToken, tokenResponse, type TokenResponse } from './access-tokens';
import { findAccountByLogin } from './account-lookup';
import type { IdentityContext } from './context';
import { accountDisabled, invalidClient, invalidScope } from './errors';

/**
 * grant_type=client_credentials: service clients (other services, store POS systems) get a token
 * with their fixed scope set, or the subset they ask for. No refresh token: they ask again.
 */
export async function clientCredentials(
  ctx: IdentityContext,
  input: { clientId: string; clientSecret: string; scope?: string; ip: string },
): Promise<TokenResponse> {
  const name = normaliseLoginName(input.clientId);
  const attempt = await ctx.throttle.begin([
    { key: `client:${name}`, policy: ctx.settings.accountBackoff, kind: 'account' },
    { key: `ip:${input.ip}`, policy: ctx.settings.ipBackoff, kind: 'ip' },
  ]);
  try {
    const account = await findAccountByLogin(ctx, name);
    if (
      account?.kind !== 'service' ||
      !account.clientSecretSha256 ||
      !sha256Equals(input.clientSecret, account.clientSecretSha256)
    ) {
      await attempt.fail();
      ctx.metrics.signIns.inc({ grant: 'client_credentials', outcome: 'failed' });
      throw invalidClient();
    }
    if (account.status !== 'active') {
      await attempt.release();
      throw accountDisabled();
    }
    const granted = account.scopes ?? [];
    let scopes = granted;
    if (input.scope !== undefined && input.scope.trim() !== '') {
      const requested = [...new Set(input.scope.split(' ').filter(Boolean))];
      const extra = requested.filter((s) => !granted.includes(s));
      if (extra.length > 0) {
        await attempt.release();
        throw invalidScope(`The client is not granted: ${extra.join(' ')}`);
      }
      scopes = requested;
    }
    await attempt.succeed();
    const access = await signAccessToken(ctx, account, { amr: ['client_secret'], scopes });
    ctx.metrics.signIns.inc({ grant: 'client_credentials', outcome: 'ok' });
    return tokenResponse(ctx, access, { scope: scopes.join(' ') });
  } finally {
    await attempt.release();
  }
}
