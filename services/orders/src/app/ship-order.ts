import { can, ConflictError, ForbiddenError, type Principal } from '@omni/kit';
import type { OrdersContext } from './context';
import type { CommandResult } from './cancel-order';
import { loadVisibleOrder } from './order-access';
import { requestWork, settle } from './request-work';

/**
 * A ship order left the warehouse (or store): the reservation becomes a sale, the payment is captured,
 * the order is shipped and completed. By ops, or by staff of the shipping location.
 */
export async function shipOrder(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  shipment: { carrier?: string; trackingNumber?: string },
): Promise<CommandResult> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  if (!can(p, 'orders:manage') && !can(p, 'pickup:work', { storeId: o.fulfilment.locationId })) {
    throw new ForbiddenError(`${p.role} ${p.sub} may not ship from ${o.fulfilment.locationId}`);
  }
  await ctx.svc.store.withTransaction(async (session) => {
    const verdict = await requestWork(
      ctx,
      orderId,
      (x) =>
        x.fulfilment.method !== 'ship'
          ? `a ${x.fulfilment.method} order is not shipped`
          : x.status !== 'confirmed'
            ? `order is ${x.status}`
            : true,
      () => ({ workflow: 'ship', key: 'ship', params: { shipment } }),
      session,
    );
    if (verdict !== true && verdict !== 'duplicate')
      throw new ConflictError('illegal-transition', verdict ?? 'order not found');
    await ctx.svc.audit.record(
      { actor: p, action: 'order.ship', target: { type: 'order', id: orderId }, details: shipment },
      session,
    );
  });
  const settled = (await settle(ctx, orderId, ctx.env.timings.commandWaitMs))!;
  return { order: settled, inProgress: settled.status !== 'shipped' && settled.active };
}
