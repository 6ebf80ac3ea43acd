import type { Session } from '@omni/store';
import type { PickupTask } from '../domain/task';
import type { NotificationKind } from '../store/collections';
import type { PickupContext } from './context';

/** Queues a customer notification with the change that causes it; delivered after commit. One per task and kind. */
export async function enqueueNotification(
  ctx: PickupContext,
  session: Session,
  kind: NotificationKind,
  task: PickupTask,
): Promise<void> {
  const id = `${task._id}:${kind}`;
  if (await ctx.collections.notifications.findById(id, { session })) return;
  const now = ctx.clock().toISOString();
  await ctx.collections.notifications.insertOne(
    {
      _id: id,
      kind,
      taskId: task._id,
      orderId: task.orderId,
      storeId: task.storeId,
      ...(task.customerId !== undefined ? { customerId: task.customerId } : {}),
      holdUntil: task.holdUntil ?? now,
      createdAt: now,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
    },
    { session },
  );
}
