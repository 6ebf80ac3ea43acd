import { authorize, BadRequestError, readableStores, withCursor, type Principal } from '@omni/kit';
import type { Filter, Page } from '@omni/store';
import type { OrderDoc, OrderStatus } from '../../domain/types';
import type { OrdersContext } from '../context';
import { customerIdsOf } from './customer-ids';

export interface ListOrdersQuery {
  status?: OrderStatus[];
  from?: string;
  to?: string;
  customerId?: string;
  storeId?: string;
  limit: number;
  cursor?: string;
}

/**
 * Order history and search, newest first, cursor-paginated.
 * - customers: their own orders (and those of records merged into theirs); other filters apply within;
 * - store staff: orders fulfilled by one of their stores (`storeId` required when they have several);
 * - ops / service clients: everything (store-bound clients: their stores), filtered by customer,
 *   store, status and date.
 */
export async function listOrders(
  ctx: OrdersContext,
  p: Principal,
  q: ListOrdersQuery,
): Promise<Page<OrderDoc>> {
  const filter: Filter = {};
  if (p.role === 'customer') {
    authorize(p, 'orders:read:own', { customerId: p.customerId });
    if (!p.customerId) return { items: [], nextCursor: null };
    filter.customerId = { $in: await customerIdsOf(ctx, p.customerId) };
  } else if (p.role === 'store_staff') {
    const stores = Object.keys(p.stores);
    const storeId = q.storeId ?? (stores.length === 1 ? stores[0] : undefined);
    if (!storeId)
      throw new BadRequestError('storeId is required for staff of several stores', [
        { field: 'querystring/storeId', message: 'required' },
      ]);
    authorize(p, 'orders:read', { storeId });
    filter['fulfilment.locationId'] = storeId;
    if (q.customerId) filter.customerId = { $in: await customerIdsOf(ctx, q.customerId) };
  } else {
    authorize(p, 'orders:read', q.storeId ? { storeId: q.storeId } : {});
    // A store's client (a POS bound to stores) lists only its stores' orders.
    const stores = readableStores(p, 'orders:read');
    if (q.storeId) filter['fulfilment.locationId'] = q.storeId;
    else if (stores !== 'all') filter['fulfilment.locationId'] = { $in: [...stores] };
    if (q.customerId) filter.customerId = { $in: await customerIdsOf(ctx, q.customerId) };
  }
  if (q.status && q.status.length > 0) filter.status = { $in: q.status };
  if (q.from || q.to) {
    filter.createdAt = {
      ...(q.from ? { $gte: new Date(q.from).toISOString() } : {}),
      ...(q.to ? { $lt: new Date(q.to).toISOString() } : {}),
    };
  }
  return withCursor(() =>
    ctx.collections.orders.page(filter, {
      limit: q.limit,
      cursor: q.cursor ?? null,
      sortField: 'createdAt',
      direction: -1,
    }),
  );
}
