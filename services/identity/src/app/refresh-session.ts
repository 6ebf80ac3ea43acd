import { isPasswordExpired, requiresMfa } from '../domain/account';
import { sha256 } from '../domain/opaque-token';
import type { TokenResponse } from './access-tokens';
import { SYSTEM, type IdentityContext } from './context';
import { invalidRefreshToken, refreshTokenReused } from './errors';
import { applyRevoked, nothingRevoked, revokeSession } from './revoke';
import { issuePair } from './sessions';

/**
 * grant_type=refresh_token: one-time refresh tokens. Each use rotates it (the old one is marked
 * rotated, a new one issued in the same family). Presenting a token that was already rotated means
 * it was copied: the whole family and every access token minted from it are revoked.
 */
export async function refreshSession(
  ctx: IdentityContext,
  input: { refreshToken: string; ip: string; requestId?: string },
): Promise<TokenResponse> {
  const hash = sha256(input.refreshToken);
  const presented = await ctx.collections.refreshTokens.findById(hash);
  if (!presented) {
    ctx.metrics.signIns.inc({ grant: 'refresh_token', outcome: 'failed' });
    throw invalidRefreshToken();
  }
  if (presented.status === 'rotated') return reuseDetected(ctx, presented.sid, presented.accountId, input);
  if (presented.status !== 'active') throw invalidRefreshToken('The session was revoked; sign in again');

  const now = ctx.clock();
  const session = await ctx.collections.sessions.findById(presented.sid);
  const account = await ctx.collections.accounts.findById(presented.accountId);
  if (!session || session.status !== 'active' || !account || account.status !== 'active') {
    throw invalidRefreshToken('The session was revoked; sign in again');
  }
  if (Date.parse(presented.expiresAt) <= now.getTime() || Date.parse(session.expiresAt) <= now.getTime()) {
    throw invalidRefreshToken('The session expired; sign in again');
  }
  if ((account.tokensValidFrom ?? 0) * 1000 > Date.parse(session.createdAt)) {
    throw invalidRefreshToken('The session was revoked; sign in again');
  }
  if (isPasswordExpired(account, ctx.settings.password, now)) {
    throw invalidRefreshToken('The password expired; sign in to change it');
  }
  if (requiresMfa(account) && !session.amr.includes('otp')) {
    throw invalidRefreshToken('This account now requires a second factor; sign in again');
  }

  const result = await ctx.store.withTransaction(async (tx) => {
    // Only one use wins, however many arrive at once; a loser is a reuse.
    const rotated = await ctx.collections.refreshTokens.findOneAndUpdate(
      { _id: hash, status: 'active' },
      { $set: { status: 'rotated', rotatedAt: now.toISOString() } },
      { session: tx },
    );
    if (!rotated) return null;
    await ctx.collections.sessions.updateOne(
      { _id: session._id },
      { $set: { lastUsedAt: now.toISOString() } },
      { session: tx },
    );
    return issuePair(ctx, tx, account, {
      sid: session._id,
      amr: session.amr,
      sessionEnd: new Date(session.expiresAt),
    });
  });
  if (!result) return reuseDetected(ctx, presented.sid, presented.accountId, input);
  ctx.metrics.signIns.inc({ grant: 'refresh_token', outcome: 'ok' });
  return result;
}

async function reuseDetected(
  ctx: IdentityContext,
  sid: string,
  accountId: string,
  input: { ip: string; requestId?: string },
): Promise<never> {
  const revoked = nothingRevoked();
  await ctx.store.withTransaction(async (tx) => {
    revoked.tokens.length = 0;
    revoked.subjects.length = 0;
    await revokeSession(ctx, tx, sid, 'refresh-token-reuse', revoked);
    await ctx.audit.record(
      {
        actor: SYSTEM,
        action: 'auth.refresh-token-reused',
        target: { type: 'session', id: sid },
        outcome: 'failure',
        ip: input.ip,
        requestId: input.requestId,
        details: { accountId, revokedAccessTokens: revoked.tokens.length },
      },
      tx,
    );
  });
  applyRevoked(ctx, revoked);
  ctx.metrics.signIns.inc({ grant: 'refresh_token', outcome: 'reused' });
  ctx.log.warn({ sid, account: accountId, ip: input.ip }, 'refresh token reused: session revoked');
  throw refreshTokenReused();
}
