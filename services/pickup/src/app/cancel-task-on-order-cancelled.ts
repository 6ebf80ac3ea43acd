import type { OrderCancelled } from '@omni/contracts';
import type { EventData } from '@omni/events';
import type { Session } from '@omni/store';
import { VOIDABLE_STATES } from '../domain/task';
import type { PickupContext } from './context';
import { closeTask, recordConflict } from './task-writes';

/**
 * The order was cancelled: every live task of it stops (`cancelled`, code released), and the order is
 * tombstoned so a `confirmed` arriving later makes no live task. A task whose goods were already
 * handed over (e.g. collected at an offline counter) cannot be undone here: conflict for ops.
 */
export async function cancelTaskOnOrderCancelled(
  ctx: PickupContext,
  session: Session,
  data: EventData<typeof OrderCancelled>,
): Promise<number> {
  const at = ctx.clock().toISOString();
  const track = await ctx.collections.orders.findById(data.orderId, { session });
  if (!track?.cancelled) {
    await ctx.collections.orders.updateOne(
      { _id: data.orderId },
      { $set: { cancelled: { at, reason: data.reason } }, $setOnInsert: { maxAttempt: 0, voided: [] } },
      { upsert: true, session },
    );
  }

  let cancelled = 0;
  for (const task of await ctx.collections.tasks.find({ orderId: data.orderId }, { session })) {
    if (VOIDABLE_STATES.includes(task.state)) {
      if (await closeTask(ctx, session, task, 'cancel', 'cancelled', `order cancelled: ${data.reason}`))
        cancelled++;
    } else if (task.state === 'collected') {
      await recordConflict(ctx, session, {
        id: `${task._id}:cancelled-after-collected`,
        kind: 'cancelled-after-collected',
        task,
        detail: `order cancelled (${data.reason}) after the goods were collected${task.collectedOffline ? ' at an offline counter' : ''}`,
      });
    }
  }
  if (cancelled === 0) ctx.metrics.ignoredEvents.inc({ type: 'order.cancelled', reason: 'no-live-task' });
  return cancelled;
}
