import { BadRequestError, UnprocessableError } from '@omni/kit';
import { levelId } from '../domain/levels';
import type { Actor } from '../domain/types';
import type { InventoryContext } from './context';
import { unknownLocation } from './errors';
import { assertKnownSkus } from './known-skus';
import { recordedResult, recordResult } from './operations';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

export interface AdjustCommand {
  adjustmentId: string;
  locationId: string;
  sku: string;
  /** Units added (positive) or written off (negative). */
  delta: number;
  reason: 'adjustment' | 'damage';
  note?: string;
  actor: Actor;
  ip?: string;
  requestId?: string;
}

export interface AdjustResult {
  adjustmentId: string;
  locationId: string;
  sku: string;
  delta: number;
  reason: string;
  onHand: number;
  available: number;
  movementOpId: string;
  [k: string]: unknown;
}

/**
 * A manager's correction or write-off (damage). It may not take onHand below zero (the guard is in
 * the update filter); taking it below reserved is allowed and announces the reservations at risk.
 * Audited. Idempotent by adjustment id.
 */
export async function adjustStock(ctx: InventoryContext, cmd: AdjustCommand): Promise<AdjustResult> {
  if (!Number.isInteger(cmd.delta) || cmd.delta === 0) {
    throw new BadRequestError('delta must be a non-zero integer', [
      { field: 'delta', message: 'must be a non-zero integer' },
    ]);
  }
  if (cmd.reason === 'damage' && cmd.delta > 0) {
    throw new BadRequestError('damage writes units off: delta must be negative', [
      { field: 'delta', message: 'must be negative for damage' },
    ]);
  }
  return inTransaction(ctx, async (tx) => {
    const rec = await recordedResult(tx, 'adjustment', cmd.locationId, cmd.adjustmentId, [
      cmd.sku,
      cmd.delta,
      cmd.reason,
      cmd.note ?? null,
    ]);
    if (rec.previous) return rec.previous as AdjustResult;
    const location = await ctx.collections.locations.findById(cmd.locationId, { session: tx.session });
    if (!location) throw unknownLocation(cmd.locationId);
    // Adding units creates stock: only of a SKU catalog knows.
    if (cmd.delta > 0) await assertKnownSkus(tx, [cmd.sku]);
    const opId = `adj|${cmd.locationId}|${cmd.adjustmentId}`;
    const level = await applyStockChange(tx, {
      sku: cmd.sku,
      locationId: cmd.locationId,
      reason: cmd.reason,
      onHandDelta: cmd.delta,
      opId,
      actor: cmd.actor,
      ref: { type: 'adjustment', id: cmd.adjustmentId },
      ...(cmd.note ? { note: cmd.note } : {}),
      guard: 'on-hand',
      createLevel: cmd.delta > 0,
    });
    if (!level) {
      const existing = await ctx.collections.levels.findById(levelId(cmd.sku, cmd.locationId), {
        session: tx.session,
      });
      throw new UnprocessableError(
        'insufficient-on-hand',
        `cannot write off ${-cmd.delta} × ${cmd.sku} at ${cmd.locationId}: ${existing?.onHand ?? 0} on hand`,
        { onHand: existing?.onHand ?? 0 },
      );
    }
    const out: AdjustResult = {
      adjustmentId: cmd.adjustmentId,
      locationId: cmd.locationId,
      sku: cmd.sku,
      delta: cmd.delta,
      reason: cmd.reason,
      onHand: level.onHand,
      available: level.available,
      movementOpId: opId,
    };
    await recordResult(tx, rec, 'adjustment', cmd.locationId, out, cmd.actor);
    await ctx.audit(
      {
        actor: cmd.actor,
        action: `stock.${cmd.reason}`,
        target: { type: 'stock-level', id: levelId(cmd.sku, cmd.locationId) },
        ...(cmd.ip ? { ip: cmd.ip } : {}),
        ...(cmd.requestId ? { requestId: cmd.requestId } : {}),
        details: { delta: cmd.delta, note: cmd.note, adjustmentId: cmd.adjustmentId },
      },
      tx.session,
    );
    return out;
  });
}
