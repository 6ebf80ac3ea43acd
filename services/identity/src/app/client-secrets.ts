import { UnprocessableError } from '@omni/kit';
import { newOpaqueToken, sha256 } from '../domain/opaque-token';
import { getAccount } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';
import { applyRevoked, nothingRevoked, revokeSubject } from './revoke';

/** Ops issue a new secret for a service client (shown once); tokens got with the old one are revoked. */
export async function rotateClientSecret(
  ctx: IdentityContext,
  id: string,
  meta: RequestMeta,
): Promise<{ clientSecret: string }> {
  const account = await getAccount(ctx, id);
  if (account.kind !== 'service')
    throw new UnprocessableError('not-a-service-client', 'Only service clients have secrets');
  const clientSecret = newOpaqueToken('cs');
  const revoked = nothingRevoked();
  await ctx.store.withTransaction(async (session) => {
    revoked.subjects.length = 0;
    await ctx.collections.accounts.updateOne(
      { _id: id },
      { $set: { clientSecretSha256: sha256(clientSecret), updatedAt: ctx.clock().toISOString() } },
      { session },
    );
    await revokeSubject(ctx, session, id, 'client-secret-rotated', revoked);
    await ctx.audit.record(
      { ...auditFrom(meta), action: 'account.client-secret-rotated', target: { type: 'account', id } },
      session,
    );
  });
  applyRevoked(ctx, revoked);
  return { clientSecret };
}

/** Ops lift a sign-in lockout of an account. */
export async function unlockAccount(ctx: IdentityContext, id: string, meta: RequestMeta): Promise<void> {
  const account = await getAccount(ctx, id);
  for (const name of [account.username, ...(account.phone ? [account.phone] : [])]) {
    await ctx.throttle.clear(`user:${name}`);
    await ctx.throttle.clear(`client:${name}`);
  }
  await ctx.audit.record({ ...auditFrom(meta), action: 'account.unlocked', target: { type: 'account', id } });
}
