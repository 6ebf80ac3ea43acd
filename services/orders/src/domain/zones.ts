import { distanceKm } from './geo';
import type { GeoPoint } from './types';

/**
 * Dispatch's delivery zones as orders sees them (projected from DeliveryZoneChanged). Dispatch is the
 * source of truth for where local delivery goes: a point is served by a store of a zone whose area
 * contains it, when the trip from the store — straight line × the zone's detour factor at its
 * reference vehicle's speed, as dispatch computes it — is within the zone's single-trip limit.
 */
export type Position = number[];
export type AreaGeometry =
  { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface DeliveryZone {
  zoneId: string;
  area: AreaGeometry;
  stores: Array<{ storeId: string; geo: GeoPoint }>;
  maxTripMinutes: number;
  travel: { speedKmh: number; detourFactor: number };
  slotMinutes: number;
  /** Deliveries each store of the zone can take per slot. */
  slotCapacity: number;
}

/** A store that can deliver to the point within its zone's trip limit. */
export interface ServingStore {
  storeId: string;
  zoneId: string;
  /** Straight-line distance store → point, km. */
  distanceKm: number;
  tripMinutes: number;
  slotMinutes: number;
  slotCapacity: number;
}

/** Stores that can deliver to `p`, fastest trip first (a store in two zones appears once, fastest). */
export function servingStores(zones: DeliveryZone[], p: GeoPoint): ServingStore[] {
  const best = new Map<string, ServingStore>();
  for (const z of zones) {
    if (!areaContains(z.area, p)) continue;
    for (const s of z.stores) {
      const km = distanceKm(s.geo, p);
      const tripMinutes = ((km * z.travel.detourFactor) / z.travel.speedKmh) * 60;
      if (tripMinutes > z.maxTripMinutes) continue;
      const seen = best.get(s.storeId);
      if (!seen || tripMinutes < seen.tripMinutes)
        best.set(s.storeId, {
          storeId: s.storeId,
          zoneId: z.zoneId,
          distanceKm: km,
          tripMinutes,
          slotMinutes: z.slotMinutes,
          slotCapacity: z.slotCapacity,
        });
    }
  }
  return [...best.values()].sort((a, b) => a.tripMinutes - b.tripMinutes);
}

export function areaContains(area: AreaGeometry, p: GeoPoint): boolean {
  if (area.type === 'Polygon') return polygonContains(area.coordinates, p);
  return area.coordinates.some((poly) => polygonContains(poly, p));
}

function polygonContains(rings: Position[][], p: GeoPoint): boolean {
  const [outer, ...holes] = rings;
  if (!outer || !ringContains(outer, p)) return false;
  return !holes.some((hole) => ringContains(hole, p));
}

/** Ray casting over GeoJSON [lng, lat] positions. */
function ringContains(ring: Position[], p: GeoPoint): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0]!;
    const yi = ring[i]![1]!;
    const xj = ring[j]![0]!;
    const yj = ring[j]![1]!;
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
