import { BadRequestError, ConflictError } from '@omni/kit';
import { ReservationReleased } from '@omni/contracts';
import { planRelease } from '../domain/reservation';
import type { Actor, Line, ReservationDoc } from '../domain/types';
import { validateLines } from '../domain/validation';
import type { InventoryContext } from './context';
import { unknownReservation } from './errors';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

export interface ReleaseCommand {
  reservationId: string;
  /** Absent or empty: everything still reserved. */
  lines?: Line[];
  reason?: string;
  /** Required for partial releases (two partial releases are told apart by it); retries reuse it. */
  operationId?: string;
  actor: Actor;
}

const FULL_RELEASE_OP = 'release-all';

/** Puts reserved units back on sale: all of them, or some lines (partial release). Idempotent. */
export async function releaseReservation(
  ctx: InventoryContext,
  cmd: ReleaseCommand,
): Promise<ReservationDoc> {
  const partial = (cmd.lines?.length ?? 0) > 0;
  if (partial) validateLines(cmd.lines!);
  if (partial && !cmd.operationId) {
    throw new BadRequestError('operationId is required for a partial release', [
      { field: 'operationId', message: 'required when lines are given' },
    ]);
  }
  const operationId = cmd.operationId || FULL_RELEASE_OP;
  const reason = cmd.reason || 'released';
  const { reservations } = ctx.collections;
  return inTransaction(ctx, async (tx) => {
    const res = await reservations.findById(cmd.reservationId, { session: tx.session });
    if (!res) throw unknownReservation(cmd.reservationId);
    const plan = planRelease(res, cmd.lines, operationId);
    if (plan.kind === 'noop') return res;
    const done = plan.remaining.length === 0;
    const updated = await reservations.findOneAndUpdate(
      { _id: res._id, status: 'active', version: res.version },
      {
        $set: {
          lines: plan.remaining,
          status: done ? 'released' : 'active',
          updatedAt: tx.nowIso,
          ...(done ? { releaseReason: reason } : {}),
        },
        $push: { releaseOps: operationId },
        $inc: { version: 1 },
      },
      { session: tx.session },
    );
    if (!updated)
      throw new ConflictError('reservation-changed', `reservation ${res._id} changed concurrently; retry`);
    for (const line of plan.released) {
      await applyStockChange(tx, {
        sku: line.sku,
        locationId: res.locationId,
        reason: 'reservation-release',
        reservedDelta: -line.qty,
        opId: `rsv|${res._id}|release|${operationId}|${line.sku}`,
        actor: cmd.actor,
        ref: { type: 'reservation', id: res._id },
        note: reason,
      });
    }
    await tx.publish(ReservationReleased, res._id, {
      reservationId: res._id,
      ...(res.orderId ? { orderId: res.orderId } : {}),
      locationId: res.locationId,
      lines: plan.released,
      reason,
      partial: plan.partial,
    });
    ctx.metrics.reservations.inc({ outcome: done ? 'released' : 'partially-released' });
    return updated;
  });
}
