import type { Filter, Page } from '@omni/store';
import { viewAccount, type AccountKind, type AccountView } from '../../domain/account';
import type { IdentityContext } from '../context';

export async function listAccounts(
  ctx: IdentityContext,
  q: { kind?: AccountKind; status?: 'active' | 'disabled'; storeId?: string; limit: number; cursor?: string },
): Promise<Page<AccountView>> {
  const filter: Filter = {};
  if (q.kind) filter.kind = q.kind;
  if (q.status) filter.status = q.status;
  if (q.storeId) filter[`stores.${q.storeId}`] = { $exists: true };
  const page = await ctx.collections.accounts.page(filter, { limit: q.limit, cursor: q.cursor });
  return { items: page.items.map(viewAccount), nextCursor: page.nextCursor };
}
