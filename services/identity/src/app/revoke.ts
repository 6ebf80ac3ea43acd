import { SubjectRevoked, TokenRevoked } from '@omni/contracts';
import type { Session } from '@omni/store';
import type { IdentityContext } from './context';

/** What a transaction revoked; applied to this instance's list once it committed. */
export interface Revoked {
  tokens: Array<{ sub: string; jti: string; expiresAt: number }>;
  subjects: Array<{ sub: string; issuedBefore: number }>;
}

export const nothingRevoked = (): Revoked => ({ tokens: [], subjects: [] });

/** One access token stops working everywhere (event in the caller's transaction). */
export async function revokeAccessToken(
  ctx: IdentityContext,
  session: Session,
  t: { sub: string; jti: string; expiresAt: number },
  out: Revoked,
  reason: string,
): Promise<void> {
  await ctx.events.publish(session, TokenRevoked, { subject: t.sub, data: t });
  out.tokens.push(t);
  ctx.metrics.revocations.inc({ kind: 'token', reason });
}

/**
 * Ends a session (refresh family): its refresh tokens stop working, and every access token minted
 * from it that has not expired yet is revoked everywhere.
 */
export async function revokeSession(
  ctx: IdentityContext,
  session: Session,
  sid: string,
  reason: string,
  out: Revoked,
): Promise<void> {
  const now = ctx.clock();
  const nowS = Math.floor(now.getTime() / 1000);
  await ctx.collections.sessions.updateOne(
    { _id: sid, status: 'active' },
    { $set: { status: 'revoked', revokedAt: now.toISOString(), revokedReason: reason } },
    { session },
  );
  await ctx.collections.refreshTokens.updateMany(
    { sid, status: 'active' },
    { $set: { status: 'revoked' } },
    { session },
  );
  const live = await ctx.collections.refreshTokens.find({ sid, accessExp: { $gt: nowS } }, { session });
  for (const r of live) {
    if (out.tokens.some((t) => t.jti === r.accessJti)) continue;
    await revokeAccessToken(
      ctx,
      session,
      { sub: r.accountId, jti: r.accessJti, expiresAt: r.accessExp },
      out,
      reason,
    );
  }
}

/**
 * Every token of the account issued before now stops working everywhere, and all its sessions end
 * (logout everywhere, disable, password change, changed bindings).
 */
export async function revokeSubject(
  ctx: IdentityContext,
  session: Session,
  accountId: string,
  reason: string,
  out: Revoked,
): Promise<number> {
  const now = ctx.clock();
  // Tokens carry whole seconds: everything issued up to and including this second is void; tokens
  // issued from now on get an iat of at least this value (see signAccessToken).
  const issuedBefore = Math.floor(now.getTime() / 1000) + 1;
  await ctx.collections.accounts.updateOne(
    { _id: accountId },
    { $max: { tokensValidFrom: issuedBefore }, $set: { updatedAt: now.toISOString() } },
    { session },
  );
  await ctx.collections.sessions.updateMany(
    { accountId, status: 'active' },
    { $set: { status: 'revoked', revokedAt: now.toISOString(), revokedReason: reason } },
    { session },
  );
  await ctx.collections.refreshTokens.updateMany(
    { accountId, status: 'active' },
    { $set: { status: 'revoked' } },
    { session },
  );
  await ctx.events.publish(session, SubjectRevoked, {
    subject: accountId,
    data: { sub: accountId, issuedBefore, reason },
  });
  out.subjects.push({ sub: accountId, issuedBefore });
  ctx.metrics.revocations.inc({ kind: 'subject', reason });
  return issuedBefore;
}

/** After commit: this instance stops accepting the tokens at once (others hear it from the bus). */
export function applyRevoked(ctx: IdentityContext, r: Revoked): void {
  for (const t of r.tokens) ctx.revocations.revokeToken(t.jti, t.expiresAt);
  for (const s of r.subjects) ctx.revocations.revokeSubject(s.sub, s.issuedBefore);
}
