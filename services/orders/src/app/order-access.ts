import { can, ForbiddenError, NotFoundError, UnauthorizedError, type Principal } from '@omni/kit';
import type { OrderDoc } from '../domain/types';
import type { OrdersContext } from './context';
import { customerIdsOf } from './queries/customer-ids';

/**
 * Who may see an order: the customer it belongs to (following merges), store staff of the store that
 * fulfils it, ops and service clients with orders:read (store-bound ones: their stores). Others get
 * 404 (customers, and staff of other stores: no probing of other people's or stores' order ids) or 403.
 */
export async function loadVisibleOrder(
  ctx: OrdersContext,
  p: Principal | null,
  orderId: string,
): Promise<OrderDoc> {
  if (!p) throw new UnauthorizedError();
  const o = await ctx.repo.get(orderId);
  if (!o) throw new NotFoundError('order', orderId);
  if (await isOwnOrder(ctx, p, o)) return o;
  if (p.role === 'customer') throw new NotFoundError('order', orderId);
  if (can(p, 'orders:read', { storeId: o.fulfilment.locationId })) return o;
  // Staff (or a store's client) of another store: the order does not exist for them.
  if (can(p, 'orders:read')) throw new NotFoundError('order', orderId);
  throw new ForbiddenError(`${p.role} ${p.sub} may not read order ${orderId}`);
}

export async function isOwnOrder(ctx: OrdersContext, p: Principal, o: OrderDoc): Promise<boolean> {
  if (p.role !== 'customer' || !p.customerId || !o.customerId) return false;
  if (!can(p, 'orders:read:own', { customerId: p.customerId })) return false;
  return (await customerIdsOf(ctx, p.customerId)).includes(o.customerId);
}
