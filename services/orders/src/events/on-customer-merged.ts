import type { Service } from '@omni/kit';
import { CustomerMerged } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { survivorOf } from '../app/queries/customer-ids';

/**
 * Two customer records became one: the merged record's orders now belong to the survivor, so the
 * customer sees both histories. The merge is also projected (chains flattened) so history queries by
 * any of the person's ids find everything, whatever order merge events arrive in.
 */
export function onCustomerMerged(svc: Service, ctx: OrdersContext): void {
  svc.events.on(CustomerMerged, async (event, { session }) => {
    const { mergedId, mergeId } = event.data;
    // The survivor may itself have been merged already (events of a chain out of order).
    const survivorId = await survivorOf(ctx, event.data.survivorId, session);
    if (survivorId === mergedId) return;
    await ctx.collections.customerMerges.replaceOne(
      { _id: mergedId },
      { _id: mergedId, survivorId, mergeId, mergedAt: event.time },
      { session, upsert: true },
    );
    await ctx.collections.customerMerges.updateMany(
      { survivorId: mergedId },
      { $set: { survivorId } },
      { session },
    );
    const moved = await ctx.collections.orders.updateMany(
      { customerId: mergedId },
      { $set: { customerId: survivorId }, $addToSet: { formerCustomerIds: mergedId }, $inc: { version: 1 } },
      { session },
    );
    ctx.svc.log.info(
      { mergedId, survivorId, orders: moved.modifiedCount },
      'orders re-pointed to the surviving customer',
    );
  });
}
