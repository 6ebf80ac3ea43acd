import type { IdentityContext } from './context';

/**
 * Housekeeping: forgets refresh tokens and sessions past their end, stale throttle counters, and
 * signing keys whose tokens have all expired. Audit entries are never deleted.
 */
export async function sweepExpired(
  ctx: IdentityContext,
  now: Date = ctx.clock(),
): Promise<{ refreshTokens: number; sessions: number; throttle: number; keys: number }> {
  const iso = now.toISOString();
  const nowS = Math.floor(now.getTime() / 1000);
  // A refresh token is kept while its access token may still need revoking (reuse detection).
  const refreshTokens = await ctx.collections.refreshTokens.deleteMany({
    expiresAt: { $lt: iso },
    accessExp: { $lt: nowS },
  });
  const sessions = await ctx.collections.sessions.deleteMany({ expiresAt: { $lte: iso } });
  const staleBefore =
    now.getTime() - Math.max(ctx.settings.accountBackoff.resetAfterMs, ctx.settings.ipBackoff.resetAfterMs);
  const throttle = await ctx.collections.throttle.deleteMany({
    lastFailureAt: { $lt: staleBefore },
    blockedUntil: { $lt: now.getTime() },
  });
  const keys = await ctx.keys.prune();
  return { refreshTokens, sessions, throttle, keys };
}

/** On start: re-learn the revocations still in force from the store (the bus keeps only so much). */
export async function restoreRevocations(ctx: IdentityContext): Promise<void> {
  const nowS = Math.floor(ctx.clock().getTime() / 1000);
  for (const a of await ctx.collections.accounts.find({ tokensValidFrom: { $gt: 0 } })) {
    if (a.tokensValidFrom) ctx.revocations.revokeSubject(a._id, a.tokensValidFrom);
  }
  for (const r of await ctx.collections.refreshTokens.find({ status: 'revoked', accessExp: { $gt: nowS } })) {
    ctx.revocations.revokeToken(r.accessJti, r.accessExp);
  }
}
