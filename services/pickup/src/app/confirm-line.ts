import { UnprocessableError } from '@omni/kit';
import type { Session } from '@omni/store';
import { canApply, checkConfirm, type PickupTask } from '../domain/task';
import type { PickupContext } from './context';
import { illegalTransition } from './errors';
import { changeTask, loadStoreTask } from './task-writes';

export type LineRef = { sku: string } | { barcode: string };

/**
 * A scan at the shelf: `qty` more units of a line confirmed, never beyond the ordered qty (the bound
 * is part of the write's filter, so concurrent scans cannot overshoot).
 */
export async function confirmLine(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  taskId: string,
  ref: LineRef,
  qty: number,
): Promise<PickupTask> {
  const task = await loadStoreTask(ctx, session, storeId, taskId);
  if (!canApply('confirm-line', task.state)) throw illegalTransition(task, 'confirm-line');
  const sku = 'sku' in ref ? ref.sku : await ctx.resolveBarcode(ref.barcode, storeId);
  if (sku === undefined) {
    throw new UnprocessableError(
      'unknown-barcode',
      `barcode ${'barcode' in ref ? ref.barcode : ''} is not a known SKU`,
    );
  }
  const check = checkConfirm(task, sku, qty);
  if (!check.ok) throw new UnprocessableError(check.slug, check.detail, { sku });
  const { index, line } = check.value;
  const after = await changeTask(ctx, session, task, 'confirm-line', {
    guard: { [`lines.${index}.sku`]: sku, [`lines.${index}.confirmedQty`]: { $lte: line.qty - qty } },
    inc: { [`lines.${index}.confirmedQty`]: qty },
  });
  if (after) return after;
  // Lost a race: report what holds now.
  const current = await loadStoreTask(ctx, session, storeId, taskId);
  if (!canApply('confirm-line', current.state)) throw illegalTransition(current, 'confirm-line');
  const again = checkConfirm(current, sku, qty);
  throw new UnprocessableError(
    again.ok ? 'qty-exceeds-ordered' : again.slug,
    again.ok ? `SKU ${sku}: concurrent confirmation` : again.detail,
    { sku },
  );
}
