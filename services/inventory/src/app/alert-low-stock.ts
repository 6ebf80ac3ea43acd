import { LowStock } from '@omni/contracts';
import { suggestReplenishment } from '../domain/replenishment';
import type { Tx } from './context';
import { upsertSuggestion } from './restock/suggestions';

/**
 * LowStock once per crossing: when a touched level's available falls to its reorder point the level
 * is marked alerted and the alert (with a replenishment suggestion) published; rising above the
 * reorder point re-arms it. The suggestion also lands in the location's restock inbox (merged with
 * an open one for the same SKU). Runs inside the transaction of the change.
 */
export async function alertLowStock(tx: Tx): Promise<void> {
  const { levels, locations } = tx.ctx.collections;
  for (const level of [...tx.touched.values()]) {
    const low = level.available <= level.reorderPoint;
    if (low === level.lowStockAlerted) continue;
    const updated = await levels.findOneAndUpdate(
      { _id: level._id, lowStockAlerted: !low },
      { $set: { lowStockAlerted: low } },
      { session: tx.session },
    );
    if (!updated) continue;
    tx.touched.set(level._id, updated);
    if (!low) continue;
    const [sameSku, active] = await Promise.all([
      levels.find({ sku: level.sku }, { session: tx.session }),
      locations.find({ status: 'active' }, { session: tx.session, projection: { _id: 1 } }),
    ]);
    const activeIds = new Set(active.map((l) => l._id));
    const suggestion = suggestReplenishment(
      level,
      sameSku.filter((l) => activeIds.has(l.locationId)),
    );
    await tx.publish(LowStock, level.sku, {
      sku: level.sku,
      locationId: level.locationId,
      available: level.available,
      reorderPoint: level.reorderPoint,
      ...suggestion,
    });
    // The manager's inbox: one open suggestion per SKU and location, repeated alerts merged into it.
    await upsertSuggestion(tx, {
      sku: level.sku,
      locationId: level.locationId,
      available: level.available,
      reorderPoint: level.reorderPoint,
      origin: 'low-stock',
      ...suggestion,
    });
    tx.ctx.metrics.lowStock.inc();
  }
}
