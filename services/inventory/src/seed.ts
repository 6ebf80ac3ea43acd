import { AppError } from '@omni/kit';
import type { InventoryApp } from './app/inventory-app';
import type { LocationInput } from './app/manage-locations';
import type { ReplenishmentMode } from './domain/purchasing';
import type { Actor } from './domain/types';

export interface SeedStock {
  sku: string;
  locationId: string;
  /** Units received into stock by the seed. */
  onHand: number;
  safetyStock?: number;
  reorderPoint?: number;
}

export interface InventorySeed {
  /** Give each an `id`: stores are referred to by it everywhere (pickup, dispatch, staff tokens). */
  locations: LocationInput[];
  stock: SeedStock[];
  /** Suppliers with lead times and the SKUs they supply. */
  suppliers?: Array<{ id: string; name: string; leadTimeDays: number; skus: string[] }>;
  /** Min/max replenishment rules per SKU and location. */
  rules?: Array<{ sku: string; locationId: string; min: number; max: number; mode?: ReplenishmentMode }>;
}

const SEED_ACTOR: Actor = { sub: 'system:seed', role: 'system' };
const CHUNK = 100;

/**
 * Demo data for the runtime: creates missing locations, receives the stock through the ledger
 * (goods-in receipts `seed-<n>` per location), then sets safety stock and reorder points, so replay and reconcile hold from
 * the start. Re-running with the same data changes nothing (existing locations and receipts are
 * kept as they are).
 */
export async function seedInventory(
  target: { inventory: InventoryApp },
  seed: InventorySeed,
): Promise<{ locationsCreated: number; receipts: number }> {
  const { inventory } = target;
  const who = { actor: SEED_ACTOR };
  let locationsCreated = 0;
  for (const location of seed.locations) {
    try {
      await inventory.createLocation(location, who);
      locationsCreated++;
    } catch (err) {
      if (!(err instanceof AppError && err.slug === 'location-exists')) throw err;
    }
  }
  const byLocation = new Map<string, SeedStock[]>();
  for (const s of seed.stock) {
    if (s.onHand <= 0) continue;
    byLocation.set(s.locationId, [...(byLocation.get(s.locationId) ?? []), s]);
  }
  let receipts = 0;
  for (const [locationId, stock] of byLocation) {
    for (let i = 0; i < stock.length; i += CHUNK) {
      try {
        await inventory.receiveInbound({
          receiptId: `seed-${i / CHUNK}`,
          locationId,
          lines: stock
            .slice(i, i + CHUNK)
            .map((s) => ({ sku: s.sku, acceptedQty: s.onHand, rejectedQty: 0 })),
          supplierRef: 'seed',
          actor: SEED_ACTOR,
          anySku: true,
        });
        receipts++;
      } catch (err) {
        // Seeded before with other data: keep what is there rather than receive twice.
        if (!(err instanceof AppError && err.slug === 'receipt-id-conflict')) throw err;
      }
    }
  }
  // Settings after the stock arrived, so seeding raises no LowStock for levels that are not low.
  for (const s of seed.stock) {
    if (s.safetyStock === undefined && s.reorderPoint === undefined) continue;
    await inventory.setStockSettings({
      locationId: s.locationId,
      sku: s.sku,
      ...(s.safetyStock !== undefined ? { safetyStock: s.safetyStock } : {}),
      ...(s.reorderPoint !== undefined ? { reorderPoint: s.reorderPoint } : {}),
      ...who,
    });
  }
  for (const sup of seed.suppliers ?? [])
    await inventory.putSupplier(
      sup.id,
      { name: sup.name, leadTimeDays: sup.leadTimeDays, skus: sup.skus },
      who,
    );
  for (const r of seed.rules ?? [])
    await inventory.putRule(
      r.sku,
      r.locationId,
      { min: r.min, max: r.max, mode: r.mode ?? 'auto', enabled: true },
      who,
    );
  return { locationsCreated, receipts };
}
