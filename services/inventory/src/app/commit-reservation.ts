import { ConflictError, UnprocessableError } from '@omni/kit';
import { ReservationCommitted } from '@omni/contracts';
import { assertCommittable } from '../domain/reservation';
import type { Actor, ReservationDoc } from '../domain/types';
import type { InventoryContext } from './context';
import { unknownReservation } from './errors';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

/**
 * Turns an active reservation into a sale: per line onHand and reserved go down together
 * (reservation-commit movements, available unchanged). A retried commit returns the committed
 * reservation; committing a released or expired one is a conflict, and committing units a store
 * has sold meanwhile is refused (422 insufficient-on-hand: re-route it).
 */
export async function commitReservation(
  ctx: InventoryContext,
  reservationId: string,
  actor: Actor,
): Promise<ReservationDoc> {
  const { reservations } = ctx.cols;
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
      const level = await applyStockChange(tx, {
        sku: line.sku,
        locationId: res.locationId,
        reason: 'reservation-commit',
        onHandDelta: -line.qty,
        reservedDelta: -line.qty,
        opId: `rsv|${res._id}|commit|${line.sku}`,
        actor,
        ref: { type: 'reservation', id: res._id },
        // Only units that are physically there can be sold: after a store sold them offline the
        // reservation is at risk and must be re-routed, not committed into negative stock.
        guard: 'on-hand',
      });
      if (!level) {
        throw new UnprocessableError(
          'insufficient-on-hand',
          `${line.sku} at ${res.locationId} no longer has the ${line.qty} units reserved (sold in store); re-route the reservation`,
          { sku: line.sku, locationId: res.locationId, reservationId: res._id },
        );
      }
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
