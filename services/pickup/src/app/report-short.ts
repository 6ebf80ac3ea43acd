import { PickupTaskShortPicked } from '@omni/contracts';
import { UnprocessableError } from '@omni/kit';
import type { Session } from '@omni/store';
import { canApply, checkShort, type PickupTask } from '../domain/task';
import type { PickupContext } from './context';
import { illegalTransition } from './errors';
import { loadStoreTask, releaseCodeIfClosed, taskRef, transitionTask } from './task-writes';

/** queued | picking → short: which SKUs and how many units are missing; orders re-routes the order. */
export async function reportShort(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  taskId: string,
  shortLines: ReadonlyArray<{ sku: string; qty: number }>,
): Promise<PickupTask> {
  const task = await loadStoreTask(ctx, session, storeId, taskId);
  if (!canApply('short', task.state)) throw illegalTransition(task, 'short');
  const check = checkShort(task, shortLines);
  if (!check.ok) throw new UnprocessableError(check.slug, check.detail);
  const lines = task.lines.map((l) => ({
    ...l,
    shortQty: check.value.find((s) => s.sku === l.sku)?.qty ?? 0,
  }));
  const now = ctx.clock().toISOString();
  const short = await transitionTask(ctx, session, task, 'short', {
    set: { state: 'short', lines, closedAt: now, closeReason: 'short picked' },
  });
  await releaseCodeIfClosed(ctx, session, short);
  await ctx.events.publish(session, PickupTaskShortPicked, {
    subject: short.orderId,
    data: { ...taskRef(short), shortLines: check.value },
  });
  return short;
}
