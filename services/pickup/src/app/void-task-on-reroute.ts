import type { OrderRerouted } from '@omni/contracts';
import type { EventData } from '@omni/events';
import type { Session } from '@omni/store';
import { applyReroute } from '../domain/order-track';
import { VOIDABLE_STATES } from '../domain/task';
import type { PickupContext } from './context';
import { closeTask, recordConflict } from './task-writes';

/**
 * The order left a store: its task there (attempts up to the event's) is void — state `rerouted`,
 * code released. Remembered on the order so a late `confirmed` for that store and attempt makes no
 * live task. Goods already collected there → a conflict for ops.
 */
export async function voidTaskOnReroute(
  ctx: PickupContext,
  session: Session,
  data: EventData<typeof OrderRerouted>,
): Promise<number> {
  const track = await ctx.collections.orders.findById(data.orderId, { session });
  const next = applyReroute(track, data.orderId, data.fromLocationId, data.routeAttempt);
  await ctx.collections.orders.replaceOne({ _id: data.orderId }, next, { upsert: true, session });

  const tasks = await ctx.collections.tasks.find(
    { orderId: data.orderId, storeId: data.fromLocationId, routeAttempt: { $lte: data.routeAttempt } },
    { session },
  );
  let voided = 0;
  for (const task of tasks) {
    if (VOIDABLE_STATES.includes(task.state)) {
      if (
        await closeTask(
          ctx,
          session,
          task,
          'reroute',
          'rerouted',
          `re-routed to ${data.toLocationId}: ${data.reason}`,
        )
      )
        voided++;
    } else if (task.state === 'collected') {
      await recordConflict(ctx, session, {
        id: `${task._id}:rerouted-after-collected`,
        kind: 'rerouted-after-collected',
        task,
        detail: `order re-routed from ${data.fromLocationId} to ${data.toLocationId} after the goods were collected`,
      });
    }
  }
  if (voided === 0) ctx.metrics.ignoredEvents.inc({ type: 'order.rerouted', reason: 'no-live-task' });
  return voided;
}
