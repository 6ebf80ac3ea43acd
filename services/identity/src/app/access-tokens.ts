import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Account } from '../domain/account';
import type { IdentityContext } from './context';

/** Why a token is restricted to identity's own routes. */
export type Restriction = 'password-change' | 'mfa-enrolment';

export interface IssuedAccessToken {
  token: string;
  jti: string;
  /** Epoch seconds. */
  iat: number;
  exp: number;
  kid: string;
}

export interface AccessTokenOptions {
  /** Authentication methods (`pwd`, `otp`, `client_secret`). */
  amr: string[];
  /** Session (refresh family) the token belongs to; logout revokes the whole session. */
  sid?: string;
  ttlSeconds?: number;
  /** Service clients: a subset of the granted scopes. */
  scopes?: string[];
  restrictions?: Restriction[];
  /** Demo tokens printed by `npm start` say so. */
  demo?: boolean;
}

/**
 * Signs an access token for the account (claims as every service's Authenticator reads them).
 * `iat` is never earlier than the account's `tokensValidFrom`, so a token issued right after
 * "revoke everything before now" (same second) is not caught by that revocation.
 */
export async function signAccessToken(
  ctx: IdentityContext,
  account: Account,
  opts: AccessTokenOptions,
): Promise<IssuedAccessToken> {
  const s = ctx.settings;
  const restricted = (opts.restrictions?.length ?? 0) > 0;
  const ttl = opts.ttlSeconds ?? (restricted ? s.restrictedTtlSeconds : s.accessTtlSeconds);
  const iat = Math.max(Math.floor(ctx.clock().getTime() / 1000), account.tokensValidFrom ?? 0);
  const exp = iat + ttl;
  const jti = randomUUID();
  const claims: JWTPayload = {
    iss: s.issuer,
    aud: restricted ? s.restrictedAudience : s.audience,
    sub: account._id,
    role: account.kind,
    amr: opts.amr,
    jti,
    iat,
    exp,
  };
  if (account.stores && Object.keys(account.stores).length > 0) claims.stores = account.stores;
  if (account.kind === 'rider' && account.riderId) claims.riderId = account.riderId;
  if (account.kind === 'customer' && account.customerId) claims.customerId = account.customerId;
  if (account.kind === 'service') claims.scope = (opts.scopes ?? account.scopes ?? []).join(' ');
  if (opts.sid) claims.sid = opts.sid;
  if (opts.restrictions?.includes('password-change')) claims.pwd_expired = true;
  if (opts.restrictions?.includes('mfa-enrolment')) claims.mfa_enrolment = true;
  if (opts.demo) claims.demo = true;
  const { token, kid } = await ctx.keys.sign(claims);
  if (ttl > s.accessTtlSeconds && !restricted) await ctx.keys.noteLongLivedToken(kid, exp * 1000);
  return { token, jti, iat, exp, kid };
}

/** The token endpoint's answer (OAuth 2.0 token response, plus the restriction flags). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  pwd_expired?: true;
  mfa_enrolment_required?: true;
}

export function tokenResponse(
  ctx: IdentityContext,
  access: IssuedAccessToken,
  extra: Partial<TokenResponse> = {},
): TokenResponse {
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.exp - Math.floor(ctx.clock().getTime() / 1000),
    ...extra,
  };
}
