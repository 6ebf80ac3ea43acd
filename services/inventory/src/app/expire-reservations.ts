import { ReservationExpired } from '@omni/contracts';
import { SYSTEM_ACTOR } from '../domain/types';
import type { InventoryContext } from './context';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

const BATCH = 500;

/**
 * Expires every active reservation whose TTL passed by `now`: its units go back on sale
 * (reservation-release movements) and ReservationExpired is published, one transaction per
 * reservation so a long backlog never holds the store. Returns how many expired.
 */
export async function expireDueReservations(
  ctx: InventoryContext,
  now: Date,
  /** Job lease check: stop between reservations once another replica may own the sweep. */
  stillOwner: () => boolean = () => true,
): Promise<number> {
  const { reservations } = ctx.collections;
  const nowIso = now.toISOString();
  let expired = 0;
  for (;;) {
    const due = await reservations.find(
      { status: 'active', expiresAt: { $lte: nowIso } },
      { sort: { expiresAt: 1 }, limit: BATCH, projection: { _id: 1 } },
    );
    for (const { _id } of due) {
      if (!stillOwner()) return expired;
      const done = await inTransaction(ctx, async (tx) => {
        const before = await reservations.findOneAndUpdate(
          { _id, status: 'active', expiresAt: { $lte: nowIso } },
          { $set: { status: 'expired', lines: [], updatedAt: tx.nowIso }, $inc: { version: 1 } },
          { session: tx.session, returnDocument: 'before' },
        );
        if (!before) return false; // committed or released meanwhile
        for (const line of before.lines) {
          await applyStockChange(tx, {
            sku: line.sku,
            locationId: before.locationId,
            reason: 'reservation-release',
            reservedDelta: -line.qty,
            opId: `rsv|${_id}|expire|${line.sku}`,
            actor: SYSTEM_ACTOR,
            ref: { type: 'reservation', id: _id },
            note: 'expired',
          });
        }
        await tx.publish(ReservationExpired, _id, {
          reservationId: _id,
          ...(before.orderId ? { orderId: before.orderId } : {}),
          locationId: before.locationId,
          lines: before.lines,
        });
        return true;
      });
      if (done) {
        expired++;
        ctx.metrics.reservations.inc({ outcome: 'expired' });
      }
    }
    if (due.length < BATCH) break;
  }
  return expired;
}
