import { ConflictError } from '@omni/kit';
import type { Session } from '@omni/store';
import { isLocked, type PickupTask } from '../domain/task';
import type { Actor, PickupContext } from './context';
import { loadStoreTask, transitionTask } from './task-writes';

/** A manager (or ops) lifts a wrong-code lock after checking the customer's identity; audited. */
export async function unlockTask(
  ctx: PickupContext,
  session: Session,
  actor: Actor,
  storeId: string,
  taskId: string,
  reason: string,
): Promise<PickupTask> {
  const task = await loadStoreTask(ctx, session, storeId, taskId);
  if (!isLocked(task))
    throw new ConflictError('not-locked', `pickup task ${taskId} is not locked`, { taskId });
  const after = await transitionTask(ctx, session, task, 'unlock', {
    guard: { failedAttempts: task.failedAttempts },
    set: { failedAttempts: 0 },
    unset: ['lockedAt'],
  });
  await ctx.audit.record(
    {
      actor,
      action: 'pickup.task.unlock',
      target: { type: 'pickup-task', id: taskId },
      details: { storeId, failedAttempts: task.failedAttempts, reason },
    },
    session,
  );
  return after;
}
