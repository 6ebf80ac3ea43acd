import { PickupTaskReady } from '@omni/contracts';
import { UnprocessableError } from '@omni/kit';
import type { Session } from '@omni/store';
import { DEFAULT_STORE_CONFIG, holdUntil } from '../domain/store';
import { canApply, unconfirmedLines, type PickupTask } from '../domain/task';
import type { PickupContext } from './context';
import { enqueueNotification } from './enqueue-notification';
import { illegalTransition } from './errors';
import { loadStoreTask, taskRef, transitionTask } from './task-writes';

/** picking → ready once every line is confirmed; the hold starts; the customer is told. */
export async function markReady(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  taskId: string,
): Promise<PickupTask> {
  const task = await loadStoreTask(ctx, session, storeId, taskId);
  if (!canApply('ready', task.state)) throw illegalTransition(task, 'ready');
  const missing = unconfirmedLines(task);
  if (missing.length > 0) {
    throw new UnprocessableError(
      'lines-not-confirmed',
      `${missing.length} line(s) not fully confirmed; confirm them or report a short pick`,
      {
        unconfirmed: missing,
      },
    );
  }
  const now = ctx.clock();
  const config =
    (await ctx.collections.stores.findById(storeId, { session }))?.config ?? DEFAULT_STORE_CONFIG;
  const until = holdUntil(now, config);
  const expiringAt = new Date(until.getTime() - config.expiringSoonHours * 3600_000);
  const ready = await transitionTask(ctx, session, task, 'ready', {
    set: {
      state: 'ready',
      readyAt: now.toISOString(),
      holdUntil: until.toISOString(),
      expiringAt: expiringAt.toISOString(),
    },
  });
  await ctx.events.publish(session, PickupTaskReady, {
    subject: ready.orderId,
    data: { ...taskRef(ready), holdUntil: until.toISOString() },
  });
  await enqueueNotification(ctx, session, 'ready', ready);
  return ready;
}
