import { ConflictError } from '@omni/kit';
import { ReservationCommitted } from '@omni/contracts';
import { levelId } from '../domain/levels';
import { assertCommittable } from '../domain/reservation';
import type { Actor, ReservationDoc } from '../domain/types';
import type { InventoryContext } from './context';
import { unknownReservation } from './errors';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

/**
 * Turns an active reservation into a sale: per line onHand and reserved go down together
 * (reservation-commit movements, available unchanged). A retried commit returns the committed
 * reservation; committing a released or expired one is a conflict.
 *
 * Commit is called when the goods leave (collected, handed to a rider, shipped), so it is never
 * refused for stock: when a store sale synced late took units that were in fact in the customer's
 * bag, on hand goes below zero. The ledger then says what happened — the movement is noted as a
 * short hand-over and the level shows `negative-on-hand` in /v1/ops/stock-exceptions — and replay
 * still reproduces the level; the till sale of a unit that was not there is for the store to fix.
 */
export async function commitReservation(
  ctx: InventoryContext,
  reservationId: string,
  actor: Actor,
): Promise<ReservationDoc> {
  const { reservations } = ctx.collections;
  const result = await inTransaction(ctx, async (tx) => {
    const res = await reservations.findById(reservationId, { session: tx.session });
    if (!res) throw unknownReservation(reservationId);
    if (assertCommittable(res, tx.now) === 'already-committed') return res;
    const committed = await reservations.findOneAndUpdate(
      { _id: res._id, status: 'active', version: res.version },
      { $set: { status: 'committed', updatedAt: tx.nowIso }, $inc: { version: 1 } },
      { session: tx.session },
    );
    if (!committed)
      throw new ConflictError(
        'reservation-changed',
        `reservation ${reservationId} changed concurrently; retry`,
      );
    for (const line of res.lines) {
      const before = await ctx.collections.levels.findById(levelId(line.sku, res.locationId), {
        session: tx.session,
      });
      const shortBy = line.qty - Math.max(before?.onHand ?? 0, 0);
      const level = await applyStockChange(tx, {
        sku: line.sku,
        locationId: res.locationId,
        reason: 'reservation-commit',
        onHandDelta: -line.qty,
        reservedDelta: -line.qty,
        opId: `rsv|${res._id}|commit|${line.sku}`,
        actor,
        ref: { type: 'reservation', id: res._id },
        ...(shortBy > 0
          ? {
              note: `handed over ${line.qty} with ${line.qty - shortBy} on hand: stock exception (store sale of units not there)`,
            }
          : {}),
      });
      // Reserving created the level and a location with active reservations cannot be deleted.
      if (!level)
        throw new Error(`invariant: no stock level ${line.sku} at ${res.locationId} for ${res._id}`);
    }
    await tx.publish(ReservationCommitted, res._id, {
      reservationId: res._id,
      ...(res.orderId ? { orderId: res.orderId } : {}),
      locationId: res.locationId,
      lines: res.lines,
    });
    return committed;
  });
  ctx.metrics.reservations.inc({ outcome: 'committed' });
  return result;
}
