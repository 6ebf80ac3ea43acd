import { viewAccount, type AccountView } from '../domain/account';
import { getAccount } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';
import { applyRevoked, nothingRevoked, revokeSubject } from './revoke';

/**
 * Disable (every token of the account stops working everywhere, sessions end) or enable again.
 * Idempotent: asking for the current status changes and audits nothing.
 */
export async function setAccountStatus(
  ctx: IdentityContext,
  id: string,
  status: 'active' | 'disabled',
  meta: RequestMeta,
): Promise<AccountView> {
  await getAccount(ctx, id);
  const revoked = nothingRevoked();
  await ctx.store.withTransaction(async (session) => {
    revoked.subjects.length = 0;
    const changed = await ctx.collections.accounts.findOneAndUpdate(
      { _id: id, status: status === 'active' ? 'disabled' : 'active' },
      { $set: { status, updatedAt: ctx.clock().toISOString() } },
      { session },
    );
    if (!changed) return;
    if (status === 'disabled') await revokeSubject(ctx, session, id, 'disabled', revoked);
    await ctx.audit.record(
      {
        ...auditFrom(meta),
        action: status === 'disabled' ? 'account.disabled' : 'account.enabled',
        target: { type: 'account', id },
      },
      session,
    );
  });
  applyRevoked(ctx, revoked);
  return viewAccount(await getAccount(ctx, id));
}
