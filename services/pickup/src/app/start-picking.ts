import type { Session } from '@omni/store';
import type { PickupTask } from '../domain/task';
import type { PickupContext } from './context';
import { loadStoreTask, transitionTask } from './task-writes';

/** queued → picking. */
export async function startPicking(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  taskId: string,
): Promise<PickupTask> {
  const task = await loadStoreTask(ctx, session, storeId, taskId);
  return transitionTask(ctx, session, task, 'start', {
    set: { state: 'picking', startedAt: ctx.clock().toISOString() },
  });
}
