import type { Service } from '@omni/kit';
import { OrderCancelled } from '@omni/contracts';
import { VOIDABLE } from '../domain/job';
import { Effects, type DispatchContext } from '../app/context';
import { voidDeliveryJob } from '../app/void-delivery-job';
import { applyAfterConsume } from './after-consume';

/** The order is cancelled: every running job of it stops, and later confirmations are ignored. */
export function onOrderCancelled(svc: Service, ctx: DispatchContext): void {
  svc.events.on(OrderCancelled, async (event, { session }) => {
    const { orderId } = event.data;
    const fx = new Effects();
    await ctx.collections.orderRoutes.updateOne(
      { _id: orderId },
      { $set: { cancelled: true }, $setOnInsert: { maxAttempt: 0, voids: [] } },
      { session, upsert: true },
    );
    const jobs = await ctx.collections.jobs.find({ orderId, status: { $in: [...VOIDABLE] } }, { session });
    for (const job of jobs) await voidDeliveryJob(ctx, session, fx, job, 'cancelled');
    applyAfterConsume(ctx, fx);
  });
}
