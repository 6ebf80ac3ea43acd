import { NotFoundError } from '@omni/kit';
import { reconcileCash, type CashLine } from '../../domain/cash';
import type { DispatchContext } from '../context';

/** Per-shift cash reconciliation for ops: amount due of COD deliveries vs what the rider collected. */
export async function shiftCashReport(ctx: DispatchContext, riderId: string, shiftId: string) {
  const shift = await ctx.collections.shifts.findById(shiftId);
  if (!shift || shift.riderId !== riderId) throw new NotFoundError('shift', shiftId);
  const jobs = await ctx.collections.jobs.find({ riderId, shiftId });
  const delivered = jobs.filter((j) => j.status === 'delivered');
  const lines: CashLine[] = delivered
    .filter((j) => j.cod || j.codCollected)
    .map((j) => ({
      jobId: j._id,
      orderId: j.orderId,
      expected: j.cod?.amountDue ?? null,
      collected: j.codCollected,
    }));
  return {
    riderId,
    shiftId,
    startedAt: shift.startedAt,
    endedAt: shift.endedAt,
    deliveries: delivered.length,
    codDeliveries: lines.length,
    ...reconcileCash(lines),
  };
}
