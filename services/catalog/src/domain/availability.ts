/**
 * The catalog's copy of what inventory says storefronts may show: per SKU, the online level and the
 * level per store. Fed by `AvailabilityChanged` (a full snapshot per SKU with a monotonic version),
 * so the product read never calls inventory. Older versions are dropped, so redelivered or
 * reordered events leave the newest snapshot in place.
 */
export type AvailabilityLevel = 'in_stock' | 'low' | 'out';

export interface LevelAt {
  available: number;
  level: AvailabilityLevel;
}

export interface StoreLevel extends LevelAt {
  locationId: string;
}

export interface SkuAvailability {
  /** The SKU. */
  _id: string;
  online: LevelAt;
  stores: StoreLevel[];
  /** Inventory's per-SKU version of this snapshot. */
  version: number;
  updatedAt: string;
  [k: string]: unknown;
}

/** What a SKU shows when inventory has not reported it yet: nothing to sell. */
export const UNKNOWN_AVAILABILITY: LevelAt = { available: 0, level: 'out' };

const RANK: Record<AvailabilityLevel, number> = { out: 0, low: 1, in_stock: 2 };

/** The best of several levels (a product is in stock when any of its SKUs is). */
export function bestLevel(levels: Iterable<AvailabilityLevel>): AvailabilityLevel {
  let best: AvailabilityLevel = 'out';
  for (const level of levels) if (RANK[level] > RANK[best]) best = level;
  return best;
}

/** Whether an incoming snapshot replaces the stored one (strictly newer version). */
export function supersedes(incomingVersion: number, stored: Pick<SkuAvailability, 'version'> | null): boolean {
  return stored === null || incomingVersion > stored.version;
}

export function levelAtStore(a: SkuAvailability | undefined, storeId: string): LevelAt {
  const at = a?.stores.find((s) => s.locationId === storeId);
  return at ? { available: at.available, level: at.level } : UNKNOWN_AVAILABILITY;
}
