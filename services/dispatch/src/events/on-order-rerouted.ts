import type { Service } from '@omni/kit';
import { OrderRerouted } from '@omni/contracts';
import { VOIDABLE } from '../domain/job';
import { Effects, type DispatchContext } from '../app/context';
import { voidDeliveryJob } from '../app/void-delivery-job';
import { applyAfterConsume } from './after-consume';

/**
 * The order left its store: the job there is void. A tombstone (location, attempt) makes a late
 * or redelivered confirmation of that attempt a no-op. Works whether `routeAttempt` names the
 * attempt left or the new one: jobs at the old store up to it, and any older attempt, are void.
 */
export function onOrderRerouted(svc: Service, ctx: DispatchContext): void {
  svc.events.on(OrderRerouted, async (event, { session }) => {
    const { orderId, fromLocationId, routeAttempt } = event.data;
    const fx = new Effects();
    await ctx.collections.orderRoutes.updateOne(
      { _id: orderId },
      {
        $push: { voids: { locationId: fromLocationId, throughAttempt: routeAttempt } },
        $setOnInsert: { cancelled: false, maxAttempt: 0 },
      },
      { session, upsert: true },
    );
    const jobs = await ctx.collections.jobs.find(
      {
        orderId,
        status: { $in: [...VOIDABLE] },
        $or: [
          { storeId: fromLocationId, routeAttempt: { $lte: routeAttempt } },
          { routeAttempt: { $lt: routeAttempt } },
        ],
      },
      { session },
    );
    for (const job of jobs) await voidDeliveryJob(ctx, session, fx, job, 'rerouted');
    applyAfterConsume(ctx, fx);
  });
}
