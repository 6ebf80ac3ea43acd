import type { Session } from '@omni/store';
import { newId } from '@omni/store';
import type { Account } from '../domain/account';
import { newOpaqueToken, sha256 } from '../domain/opaque-token';
import { signAccessToken, tokenResponse, type TokenResponse } from './access-tokens';
import type { IdentityContext } from './context';

/**
 * Starts a session: a refresh-token family with its first refresh token, and the first access
 * token. Inside the caller's transaction.
 */
export async function startSession(
  ctx: IdentityContext,
  session: Session,
  account: Account,
  amr: string[],
): Promise<TokenResponse> {
  const now = ctx.clock();
  const sid = `ses_${newId()}`;
  const maxEnd = new Date(now.getTime() + ctx.settings.sessionMaxSeconds * 1000);
  await ctx.collections.sessions.insertOne(
    {
      _id: sid,
      accountId: account._id,
      status: 'active',
      amr,
      createdAt: now.toISOString(),
      expiresAt: maxEnd.toISOString(),
      lastUsedAt: now.toISOString(),
    },
    { session },
  );
  return issuePair(ctx, session, account, { sid, amr, sessionEnd: maxEnd });
}

/** A new access token plus the next refresh token of the family. */
export async function issuePair(
  ctx: IdentityContext,
  session: Session,
  account: Account,
  s: { sid: string; amr: string[]; sessionEnd: Date },
): Promise<TokenResponse> {
  const now = ctx.clock();
  const access = await signAccessToken(ctx, account, { amr: s.amr, sid: s.sid });
  const refreshToken = newOpaqueToken('rt');
  const refreshEnd = Math.min(now.getTime() + ctx.settings.refreshTtlSeconds * 1000, s.sessionEnd.getTime());
  await ctx.collections.refreshTokens.insertOne(
    {
      _id: sha256(refreshToken),
      sid: s.sid,
      accountId: account._id,
      status: 'active',
      createdAt: now.toISOString(),
      expiresAt: new Date(refreshEnd).toISOString(),
      accessJti: access.jti,
      accessExp: access.exp,
    },
    { session },
  );
  return tokenResponse(ctx, access, { refresh_token: refreshToken });
}
