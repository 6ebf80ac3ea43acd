import type { StockLevelDoc } from './types';

/**
 * A level's id: SKUs never contain '|' (contract pattern ^[A-Za-z0-9._-]+$), so splitting at the
 * first '|' gives back sku and location id whatever the location id contains.
 */
export function levelId(sku: string, locationId: string): string {
  return `${sku}|${locationId}`;
}

export function availableOf(level: Pick<StockLevelDoc, 'onHand' | 'reserved' | 'safetyStock'>): number {
  return level.onHand - level.reserved - level.safetyStock;
}

/** What a channel may promise from a level: never negative. */
export function sellable(level: Pick<StockLevelDoc, 'available'>): number {
  return Math.max(0, level.available);
}

export type LevelFlag = 'negative-on-hand' | 'reserved-exceeds-on-hand';

/**
 * Explained exceptional states (derived, never stored): a late POS sale can leave onHand below zero
 * or below reserved. Both are visible on the level and in /v1/ops/stock-exceptions.
 */
export function levelFlags(level: Pick<StockLevelDoc, 'onHand' | 'reserved'>): LevelFlag[] {
  const flags: LevelFlag[] = [];
  if (level.onHand < 0) flags.push('negative-on-hand');
  if (level.reserved > Math.max(level.onHand, 0)) flags.push('reserved-exceeds-on-hand');
  return flags;
}

/** Units reserved here that do not physically exist: they must be re-routed elsewhere. */
export function reservedShortfall(level: Pick<StockLevelDoc, 'onHand' | 'reserved'>): number {
  return Math.max(0, level.reserved - Math.max(level.onHand, 0));
}

export type AvailabilityLevel = 'in_stock' | 'low' | 'out';

/** Storefront wording: out at 0, low at or below the threshold, in stock above it. */
export function availabilityLevel(available: number, lowThreshold: number): AvailabilityLevel {
  if (available <= 0) return 'out';
  if (available <= lowThreshold) return 'low';
  return 'in_stock';
}

/** A new, empty level (fields an upsert sets on insert). */
export function emptyLevelFields(
  sku: string,
  locationId: string,
): Omit<StockLevelDoc, '_id' | 'onHand' | 'reserved' | 'available' | 'version' | 'updatedAt'> {
  return { sku, locationId, safetyStock: 0, reorderPoint: 0, lowStockAlerted: false };
}
