import type { Principal } from '@omni/kit';
import type { IdentityContext } from './context';
import { applyRevoked, nothingRevoked, revokeAccessToken, revokeSession } from './revoke';

/**
 * Ends the caller's session: the refresh family and every access token minted from it (including
 * the one presented) stop working everywhere.
 */
export async function logout(
  ctx: IdentityContext,
  principal: Principal,
  sid: string | undefined,
): Promise<void> {
  const revoked = nothingRevoked();
  await ctx.store.withTransaction(async (tx) => {
    revoked.tokens.length = 0;
    const session = sid ? await ctx.collections.sessions.findById(sid, { session: tx }) : null;
    if (session && session.accountId === principal.sub)
      await revokeSession(ctx, tx, session._id, 'logout', revoked);
    if (principal.jti && !revoked.tokens.some((t) => t.jti === principal.jti)) {
      await revokeAccessToken(
        ctx,
        tx,
        {
          sub: principal.sub,
          jti: principal.jti,
          expiresAt: principal.expiresAt ?? Math.floor(ctx.clock().getTime() / 1000) + 3600,
        },
        revoked,
        'logout',
      );
    }
  });
  applyRevoked(ctx, revoked);
}
