import { BadRequestError } from '@omni/kit';
import { TransientTransactionError } from '@omni/store';
import { emptyLevelFields, levelId } from '../domain/levels';
import type { Actor, StockLevelDoc } from '../domain/types';
import type { InventoryContext } from './context';
import { unknownLocation } from './errors';
import { inTransaction } from './transaction';

export interface StockSettingsCommand {
  locationId: string;
  sku: string;
  safetyStock?: number;
  reorderPoint?: number;
  actor: Actor;
  ip?: string;
  requestId?: string;
}

/**
 * Safety stock and reorder point of a level (created empty if the SKU has none there yet). Safety
 * stock is part of available, so available moves by the difference in the same update, guarded by
 * the old value. Audited.
 */
export async function setStockSettings(
  ctx: InventoryContext,
  cmd: StockSettingsCommand,
): Promise<StockLevelDoc> {
  if (cmd.safetyStock === undefined && cmd.reorderPoint === undefined) {
    throw new BadRequestError('nothing to change', [
      { field: 'body', message: 'give safetyStock and/or reorderPoint' },
    ]);
  }
  const { levels, locations } = ctx.collections;
  return inTransaction(ctx, async (tx) => {
    const location = await locations.findById(cmd.locationId, { session: tx.session });
    if (!location) throw unknownLocation(cmd.locationId);
    const id = levelId(cmd.sku, cmd.locationId);
    let level = await levels.findById(id, { session: tx.session });
    if (!level) {
      level = {
        _id: id,
        ...emptyLevelFields(cmd.sku, cmd.locationId),
        onHand: 0,
        reserved: 0,
        available: 0,
        version: 0,
        updatedAt: tx.nowIso,
      };
      await levels.insertOne(level, { session: tx.session });
    }
    const safetyStock = cmd.safetyStock ?? level.safetyStock;
    const updated = await levels.findOneAndUpdate(
      { _id: id, safetyStock: level.safetyStock },
      {
        $set: { safetyStock, reorderPoint: cmd.reorderPoint ?? level.reorderPoint, updatedAt: tx.nowIso },
        $inc: { available: level.safetyStock - safetyStock, version: 1 },
      },
      { session: tx.session },
    );
    if (!updated) throw new TransientTransactionError(`safety stock of ${id} changed concurrently`);
    tx.touched.set(id, updated);
    await ctx.audit(
      {
        actor: cmd.actor,
        action: 'stock.settings-changed',
        target: { type: 'stock-level', id },
        ...(cmd.ip ? { ip: cmd.ip } : {}),
        ...(cmd.requestId ? { requestId: cmd.requestId } : {}),
        details: {
          safetyStock: { from: level.safetyStock, to: updated.safetyStock },
          reorderPoint: { from: level.reorderPoint, to: updated.reorderPoint },
        },
      },
      tx.session,
    );
    return updated;
  });
}
