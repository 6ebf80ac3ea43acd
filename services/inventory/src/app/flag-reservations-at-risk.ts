import { ReservationAtRisk } from '@omni/contracts';
import { normaliseLines } from '../domain/lines';
import { reservedShortfall } from '../domain/levels';
import { coverShortfall } from '../domain/reservation';
import type { Line, ReservationDoc } from '../domain/types';
import type { AtRiskCause, Tx } from './context';

interface Hit {
  reservation: ReservationDoc;
  short: Map<string, number>;
  cause: AtRiskCause;
}

/**
 * A change in this transaction left reserved units without stock (reserved > onHand): name the
 * reservations that cannot be honoured here, newest first until the shortfall is covered, so orders
 * re-routes them. A reservation is flagged (and announced) again only when what it is short of grows.
 */
export async function flagReservationsAtRisk(tx: Tx): Promise<void> {
  if (tx.shortLevels.size === 0) return;
  const shortByLocation = new Map<string, Array<{ sku: string; shortfall: number; cause: AtRiskCause }>>();
  for (const [id, cause] of tx.shortLevels) {
    const level = tx.touched.get(id);
    if (!level) continue;
    const shortfall = reservedShortfall(level);
    if (shortfall <= 0) continue;
    const list = shortByLocation.get(level.locationId) ?? [];
    list.push({ sku: level.sku, shortfall, cause });
    shortByLocation.set(level.locationId, list);
  }
  const { reservations } = tx.ctx.collections;
  for (const [locationId, shorts] of shortByLocation) {
    const active = await reservations.find(
      { locationId, status: 'active' },
      { session: tx.session, sort: { createdSeq: -1 } },
    );
    const hits = new Map<string, Hit>();
    for (const { sku, shortfall, cause } of shorts) {
      const candidates = active.flatMap((r) => {
        const line = r.lines.find((l) => l.sku === sku);
        return line ? [{ reservationId: r._id, qty: line.qty }] : [];
      });
      for (const hit of coverShortfall(shortfall, candidates)) {
        const reservation = active.find((r) => r._id === hit.reservationId)!;
        const entry = hits.get(hit.reservationId) ?? { reservation, short: new Map<string, number>(), cause };
        entry.short.set(sku, hit.qty);
        hits.set(hit.reservationId, entry);
      }
    }
    for (const { reservation, short, cause } of hits.values()) {
      const before = new Map((reservation.atRisk?.shortLines ?? []).map((l) => [l.sku, l.qty]));
      let grew = false;
      const merged = new Map(before);
      for (const [sku, qty] of short) {
        if (qty > (before.get(sku) ?? 0)) {
          merged.set(sku, qty);
          grew = true;
        }
      }
      if (!grew) continue;
      const shortLines: Line[] = normaliseLines([...merged].map(([sku, qty]) => ({ sku, qty })));
      await reservations.updateOne(
        { _id: reservation._id, status: 'active' },
        { $set: { atRisk: { shortLines, at: tx.nowIso, cause }, updatedAt: tx.nowIso } },
        { session: tx.session },
      );
      await tx.publish(ReservationAtRisk, reservation._id, {
        reservationId: reservation._id,
        ...(reservation.orderId ? { orderId: reservation.orderId } : {}),
        locationId,
        lines: reservation.lines,
        shortLines,
        cause,
      });
      tx.ctx.metrics.atRisk.inc();
    }
  }
}
