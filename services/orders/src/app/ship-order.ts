import { can, ConflictError, ForbiddenError, type Principal } from '@omni/kit';
import type { OrdersContext } from './context';
import type { CommandResult } from './cancel-order';
import { loadVisibleOrder } from './order-access';
import { requestWork, settle } from './request-work';

/**
 * A ship order is handed to the carrier by hand (a store shipping without a pick list, or a parcel
 * booked outside Omni): the parcel is booked through the carrier port unless a tracking number is
 * given, the reservation becomes a sale, the payment is captured. By ops, or by staff of the
 * shipping location. Packing at a pick list does the same through OrderPacked.
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
