import { getAccount } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';
import { applyRevoked, nothingRevoked, revokeSubject } from './revoke';

/** Ops: every token of the account issued until now stops working everywhere (logout everywhere). */
export async function revokeAccountTokens(
  ctx: IdentityContext,
  id: string,
  reason: string,
  meta: RequestMeta,
): Promise<{ issuedBefore: number }> {
  await getAccount(ctx, id);
  const revoked = nothingRevoked();
  const issuedBefore = await ctx.store.withTransaction(async (session) => {
    revoked.subjects.length = 0;
    const before = await revokeSubject(ctx, session, id, 'ops-revocation', revoked);
    await ctx.audit.record(
      {
        ...auditFrom(meta),
        action: 'account.tokens-revoked',
        target: { type: 'account', id },
        details: { reason, issuedBefore: before },
      },
      session,
    );
    return before;
  });
  applyRevoked(ctx, revoked);
  return { issuedBefore };
}
