import { haversineKm } from './geo';
import { levelId, sellable } from './levels';
import type { Capability, GeoPoint, Line, LocationDoc, StockLevelDoc } from './types';

/** Online ATP counts locations that are active and ship or offer pickup. */
export function servesOnline(location: Pick<LocationDoc, 'status' | 'capabilities'>): boolean {
  return (
    location.status === 'active' &&
    (location.capabilities.includes('ships') || location.capabilities.includes('pickup'))
  );
}

export type LevelLookup = ReadonlyMap<string, Pick<StockLevelDoc, 'available'>>;

/** Sum of what the online channel can promise for a SKU. */
export function onlineAvailable(sku: string, locations: readonly LocationDoc[], levels: LevelLookup): number {
  let total = 0;
  for (const loc of locations) {
    if (!servesOnline(loc)) continue;
    const level = levels.get(levelId(sku, loc._id));
    if (level) total += sellable(level);
  }
  return total;
}

export interface FulfillmentQuery {
  lines: readonly Line[];
  capability: Capability;
  near?: GeoPoint;
  /** 0 or absent: no distance limit. */
  radiusKm?: number;
  excludeLocationIds?: readonly string[];
  limit: number;
}

export interface FulfillmentCandidate {
  location: LocationDoc;
  distanceKm: number;
  coversAll: boolean;
  /** Sellable units per requested line, in the request's order. */
  available: Line[];
}

/**
 * Locations that can serve (part of) a basket: active, with the capability, not excluded, within
 * the radius, holding at least one requested unit. With an origin: nearest first; without: those
 * covering the whole basket first, then by units available. Ties by id, so results are stable.
 */
export function rankFulfillmentLocations(
  q: FulfillmentQuery,
  locations: readonly LocationDoc[],
  levels: LevelLookup,
): FulfillmentCandidate[] {
  const excluded = new Set(q.excludeLocationIds ?? []);
  const out: FulfillmentCandidate[] = [];
  for (const location of locations) {
    if (
      location.status !== 'active' ||
      excluded.has(location._id) ||
      !location.capabilities.includes(q.capability)
    )
      continue;
    const distanceKm = q.near ? haversineKm(q.near, location.geo) : 0;
    if (q.near && q.radiusKm && q.radiusKm > 0 && distanceKm > q.radiusKm) continue;
    const available = q.lines.map((line) => {
      const level = levels.get(levelId(line.sku, location._id));
      return { sku: line.sku, qty: level ? sellable(level) : 0 };
    });
    if (!available.some((a) => a.qty > 0)) continue;
    const coversAll = q.lines.every((line, i) => available[i]!.qty >= line.qty);
    out.push({ location, distanceKm, coversAll, available });
  }
  const units = (c: FulfillmentCandidate) => c.available.reduce((s, a) => s + a.qty, 0);
  out.sort((a, b) => {
    if (q.near && a.distanceKm !== b.distanceKm) return a.distanceKm - b.distanceKm;
    if (!q.near && a.coversAll !== b.coversAll) return a.coversAll ? -1 : 1;
    if (!q.near && units(a) !== units(b)) return units(b) - units(a);
    return a.location._id < b.location._id ? -1 : a.location._id > b.location._id ? 1 : 0;
  });
  return out.slice(0, q.limit);
}
