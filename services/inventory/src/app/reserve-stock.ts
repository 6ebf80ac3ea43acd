import { BadRequestError, UnprocessableError } from '@omni/kit';
import { ReservationCreated } from '@omni/contracts';
import { isDuplicateKeyError, newId } from '@omni/store';
import { levelId } from '../domain/levels';
import { normaliseLines } from '../domain/lines';
import { assertSameReserveRequest } from '../domain/reservation';
import type { Actor, Channel, Line, ReservationDoc } from '../domain/types';
import { validateId, validateLines } from '../domain/validation';
import type { InventoryContext } from './context';
import { insufficientStock, refusalFor, unknownLocation } from './errors';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

export interface ReserveCommand {
  reservationId: string;
  locationId: string;
  lines: Line[];
  /** 0 or absent: the configured default. */
  ttlSeconds?: number;
  orderId?: string;
  channel?: Channel;
  actor: Actor;
}

export interface ReserveResult {
  reservation: ReservationDoc;
  /** False when this was a retry of an existing reservation. */
  created: boolean;
}

/**
 * Reserves every line at one location, all or nothing, in ONE store transaction: per line one
 * conditional update (`{_id, available: {$gte: qty}}` → `$inc` reserved and available) plus its
 * ledger movement, then the reservation and its event. A line that cannot be served throws, which
 * aborts the transaction, so earlier lines are rolled back by the store rather than compensated by
 * hand — no window in which a failed reservation holds stock, and no compensation that could itself
 * fail. Idempotent by reservation id (same request → same reservation; other lines → 409).
 */
export async function reserveStock(ctx: InventoryContext, cmd: ReserveCommand): Promise<ReserveResult> {
  validateId(cmd.reservationId, 'reservationId');
  validateId(cmd.locationId, 'locationId');
  validateLines(cmd.lines);
  const ttl = cmd.ttlSeconds && cmd.ttlSeconds > 0 ? cmd.ttlSeconds : ctx.settings.reservationTtlSeconds;
  if (!Number.isInteger(ttl) || ttl > ctx.settings.maxReservationTtlSeconds) {
    throw new BadRequestError('ttlSeconds is not valid', [
      { field: 'ttlSeconds', message: `must be an integer up to ${ctx.settings.maxReservationTtlSeconds}` },
    ]);
  }
  const lines = normaliseLines(cmd.lines);
  const { reservations, locations } = ctx.collections;
  const refused = await refuseWithoutTransaction(ctx, cmd.reservationId, cmd.locationId, lines);
  if (refused) {
    ctx.metrics.reservations.inc({ outcome: 'refused' });
    throw refused;
  }
  try {
    const result = await inTransaction(ctx, async (tx): Promise<ReserveResult> => {
      const existing = await reservations.findById(cmd.reservationId, { session: tx.session });
      if (existing) {
        assertSameReserveRequest(existing, cmd.locationId, lines);
        return { reservation: existing, created: false };
      }
      const location = await locations.findById(cmd.locationId, { session: tx.session });
      if (!location) throw unknownLocation(cmd.locationId);
      if (location.status !== 'active') {
        throw new UnprocessableError('location-paused', `location ${cmd.locationId} is paused`);
      }
      const ref = { type: 'reservation', id: cmd.reservationId };
      for (const line of lines) {
        const level = await applyStockChange(tx, {
          sku: line.sku,
          locationId: cmd.locationId,
          reason: 'reservation-reserve',
          reservedDelta: line.qty,
          opId: `rsv|${cmd.reservationId}|${line.sku}`,
          actor: cmd.actor,
          ref,
          guard: 'available',
        });
        if (!level) throw await insufficientStock(tx, line, cmd.locationId);
      }
      const reservation: ReservationDoc = {
        _id: cmd.reservationId,
        locationId: cmd.locationId,
        ...(cmd.orderId ? { orderId: cmd.orderId } : {}),
        channel: cmd.channel ?? 'online',
        requested: lines,
        lines,
        status: 'active',
        version: 1,
        expiresAt: new Date(tx.now.getTime() + ttl * 1000).toISOString(),
        createdAt: tx.nowIso,
        createdSeq: newId(),
        updatedAt: tx.nowIso,
        releaseOps: [],
      };
      await reservations.insertOne(reservation, { session: tx.session });
      await tx.publish(ReservationCreated, reservation._id, {
        reservationId: reservation._id,
        ...(reservation.orderId ? { orderId: reservation.orderId } : {}),
        locationId: reservation.locationId,
        lines,
        expiresAt: reservation.expiresAt,
      });
      return { reservation, created: true };
    });
    ctx.metrics.reservations.inc({ outcome: result.created ? 'created' : 'replayed' });
    return result;
  } catch (err) {
    // MongoDB: two concurrent transactions with the same new id both passed the lookup; one lost.
    if (isDuplicateKeyError(err)) {
      const existing = await reservations.findById(cmd.reservationId);
      if (existing) {
        assertSameReserveRequest(existing, cmd.locationId, lines);
        ctx.metrics.reservations.inc({ outcome: 'replayed' });
        return { reservation: existing, created: false };
      }
    }
    ctx.metrics.reservations.inc({ outcome: err instanceof UnprocessableError ? 'refused' : 'failed' });
    throw err;
  }
}

/**
 * The flash-sale fast path: most attempts ask for stock that is gone. Reading the committed level
 * (no transaction, no lock) and refusing when a line cannot be served is linearisable — the refusal
 * is true of the state at the read — while the transaction path stays the only one that reserves
 * (and the one that explains unknown SKUs, locations and paused locations).
 * The reservation is looked up after the level, so a retry of a reservation that exists (even one
 * committed a moment ago by a concurrent duplicate) is never refused.
 */
async function refuseWithoutTransaction(
  ctx: InventoryContext,
  reservationId: string,
  locationId: string,
  lines: readonly Line[],
): Promise<Error | null> {
  const { levels, reservations } = ctx.collections;
  for (const line of lines) {
    const level = await levels.findById(levelId(line.sku, locationId), { projection: { available: 1 } });
    if (!level) return null; // unknown SKU or location: the transaction path says which
    if (level.available >= line.qty) continue;
    if (await reservations.findById(reservationId, { projection: { _id: 1 } })) return null;
    return refusalFor(ctx, line, locationId, level);
  }
  return null;
}
