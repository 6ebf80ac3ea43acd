import { BadRequestError, ConflictError, OPS_ONLY_PERMISSIONS, PERMISSIONS, type StoreRole } from '@omni/kit';
import { badStoreIds, viewAccount, type AccountView } from '../domain/account';
import { getAccount } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';
import { applyRevoked, nothingRevoked, revokeSubject } from './revoke';

export interface UpdateAccountInput {
  displayName?: string;
  stores?: Record<string, StoreRole>;
  scopes?: string[];
}

/**
 * Changes an account's bindings (store roles, service scopes). Tokens carry the bindings, so the
 * account's tokens are revoked when they change: least privilege applies at once.
 */
export async function updateAccount(
  ctx: IdentityContext,
  id: string,
  input: UpdateAccountInput,
  meta: RequestMeta,
): Promise<AccountView> {
  const current = await getAccount(ctx, id);
  if (input.stores !== undefined) {
    if (!['store_staff', 'service'].includes(current.kind))
      throw badField('stores', `not allowed for ${current.kind}`);
    const invalid = badStoreIds(input.stores);
    if (invalid.length > 0) throw badField('stores', `invalid store ids: ${invalid.join(' ')}`);
    if (current.kind === 'store_staff' && Object.keys(input.stores).length === 0) {
      throw badField('stores', 'store staff must be bound to at least one store');
    }
  }
  if (input.scopes !== undefined) {
    if (current.kind !== 'service') throw badField('scopes', `not allowed for ${current.kind}`);
    const unknown = input.scopes.filter((s) => !(PERMISSIONS as readonly string[]).includes(s));
    if (unknown.length > 0 || input.scopes.length === 0)
      throw badField('scopes', `unknown or empty: ${unknown.join(' ')}`);
    const opsOnly = input.scopes.filter((s) => (OPS_ONLY_PERMISSIONS as readonly string[]).includes(s));
    if (opsOnly.length > 0)
      throw badField('scopes', `for ops only, never a service client: ${opsOnly.join(' ')}`);
  }
  const bindingsChanged =
    (input.stores !== undefined &&
      JSON.stringify(sorted(input.stores)) !== JSON.stringify(sorted(current.stores ?? {}))) ||
    (input.scopes !== undefined &&
      [...input.scopes].sort().join(' ') !== [...(current.scopes ?? [])].sort().join(' '));
  const revoked = nothingRevoked();
  const updated = await ctx.store.withTransaction(async (session) => {
    revoked.subjects.length = 0;
    const now = ctx.clock().toISOString();
    const next = await ctx.collections.accounts.findOneAndUpdate(
      { _id: id, updatedAt: current.updatedAt },
      {
        $set: {
          updatedAt: now,
          ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
          ...(input.stores !== undefined ? { stores: input.stores } : {}),
          ...(input.scopes !== undefined ? { scopes: [...new Set(input.scopes)] } : {}),
        },
      },
      { session },
    );
    if (!next)
      throw new ConflictError('concurrent-update', 'The account changed meanwhile; read it and try again');
    if (bindingsChanged) await revokeSubject(ctx, session, id, 'bindings-changed', revoked);
    await ctx.audit.record(
      {
        ...auditFrom(meta),
        action: 'account.updated',
        target: { type: 'account', id },
        details: {
          before: { stores: current.stores, scopes: current.scopes, displayName: current.displayName },
          after: { stores: next.stores, scopes: next.scopes, displayName: next.displayName },
          tokensRevoked: bindingsChanged,
        },
      },
      session,
    );
    return next;
  });
  applyRevoked(ctx, revoked);
  return viewAccount((await ctx.collections.accounts.findById(id)) ?? updated);
}

function sorted(o: Record<string, string>): Array<[string, string]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

function badField(field: string, message: string): BadRequestError {
  return new BadRequestError('The change is not valid', [{ field: `body/${field}`, message }]);
}
