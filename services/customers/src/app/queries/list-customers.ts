import type { Page } from '@omni/store';
import { toView, type CustomerStatus, type CustomerView } from '../../domain/customer';
import type { CustomersContext } from '../context';
import { identitiesOf } from './get-customer';
import { withCursor } from '@omni/kit';

/** Customers by creation order (ops screens); cursor-paginated. */
export async function listCustomers(
  ctx: Pick<CustomersContext, 'collections'>,
  q: { status?: CustomerStatus; limit: number; cursor?: string },
): Promise<Page<CustomerView>> {
  const page = await withCursor(() =>
    ctx.collections.customers.page(q.status ? { status: q.status } : {}, { limit: q.limit, cursor: q.cursor ?? null, sortField: 'createdAt' }),
  );
  const items = await Promise.all(page.items.map(async (doc) => toView(doc, await identitiesOf(ctx.collections, doc._id))));
  return { items, nextCursor: page.nextCursor };
}
