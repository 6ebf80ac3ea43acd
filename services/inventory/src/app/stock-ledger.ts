import { newId } from '@omni/store';
import { StockChanged } from '@omni/contracts';
import { levelId, reservedShortfall } from '../domain/levels';
import type { Actor, MovementDoc, MovementReason, StockLevelDoc } from '../domain/types';
import type { Tx } from './context';

export interface StockChange {
  sku: string;
  locationId: string;
  reason: MovementReason;
  onHandDelta?: number;
  reservedDelta?: number;
  /** Units the movement is about when it is not the delta (qc-fail: rejected units). */
  qty?: number;
  /** Unique per effect (idempotency at the ledger): `rsv|<id>|<sku>`, `pos|<store>|<op>|<sku>` (ids never contain "|"), ... */
  opId: string;
  actor: Actor;
  ref?: { type: string; id: string };
  note?: string;
  /**
   * Refuse (return null) when the change would take `available` (reserve, ship) or `onHand`
   * (manual write-offs) below zero. The guard is part of the update's filter: no read-then-write.
   */
  guard?: 'available' | 'on-hand';
  /** Create the level when missing (stock arriving for a new SKU or location). */
  createLevel?: boolean;
}

/**
 * THE way stock changes: one conditional update of the level (onHand, reserved and available in
 * the same `$inc`, the availability guard in the filter) plus one ledger movement and the
 * StockChanged event, all in the caller's transaction. Returns the level after the change, or null
 * when the guard refused it or the level does not exist (and may not be created).
 */
export async function applyStockChange(tx: Tx, change: StockChange): Promise<StockLevelDoc | null> {
  const { levels, movements } = tx.ctx.collections;
  const onHandDelta = change.onHandDelta ?? 0;
  const reservedDelta = change.reservedDelta ?? 0;
  const availableDelta = onHandDelta - reservedDelta;
  const id = levelId(change.sku, change.locationId);
  const guardFilter =
    change.guard === 'available' && availableDelta < 0
      ? { available: { $gte: -availableDelta } }
      : change.guard === 'on-hand' && onHandDelta < 0
        ? { onHand: { $gte: -onHandDelta } }
        : null;
  const guarded = guardFilter !== null;
  const filter = guardFilter ? { _id: id, ...guardFilter } : { _id: id };
  const upsert = change.createLevel === true && !guarded;
  const level = await levels.findOneAndUpdate(
    filter,
    {
      $inc: { onHand: onHandDelta, reserved: reservedDelta, available: availableDelta, version: 1 },
      $set: { updatedAt: tx.nowIso },
      ...(upsert
        ? {
            $setOnInsert: {
              sku: change.sku,
              locationId: change.locationId,
              safetyStock: 0,
              reorderPoint: 0,
              lowStockAlerted: false,
            },
          }
        : {}),
    },
    { session: tx.session, upsert },
  );
  if (!level) return null;

  const movement: MovementDoc = {
    _id: newId(),
    opId: change.opId,
    sku: change.sku,
    locationId: change.locationId,
    reason: change.reason,
    onHandDelta,
    reservedDelta,
    qty: change.qty ?? Math.abs(onHandDelta !== 0 ? onHandDelta : reservedDelta),
    onHandAfter: level.onHand,
    reservedAfter: level.reserved,
    actor: change.actor,
    at: tx.nowIso,
    ...(change.ref ? { ref: change.ref } : {}),
    ...(change.note ? { note: change.note } : {}),
  };
  await movements.insertOne(movement, { session: tx.session });
  tx.ctx.metrics.movements.inc({ reason: change.reason });

  if (onHandDelta !== 0 || reservedDelta !== 0) {
    await tx.publish(StockChanged, change.sku, {
      sku: change.sku,
      locationId: change.locationId,
      movementId: movement._id,
      reason: change.reason,
      onHand: level.onHand,
      reserved: level.reserved,
      safetyStock: level.safetyStock,
      available: level.available,
    });
  }
  tx.touched.set(id, level);
  // Units reserved without stock behind them (a late store sale, a write-off, or a commit that took
  // the last units while others stay promised): re-evaluated after every such change, never hidden.
  if (change.reason !== 'reservation-release' && reservedShortfall(level) > 0) {
    tx.shortLevels.set(id, { kind: change.reason, ...(change.ref ? { opId: change.ref.id } : {}) });
  }
  return level;
}
