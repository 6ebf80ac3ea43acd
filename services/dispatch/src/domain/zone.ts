import { areaBBox, areaContains, bboxContains, type AreaGeometry, type BBox, type GeoPoint } from './geo';
import { travelMinutes, type TravelModel, type Vehicle } from './travel';

/**
 * A delivery zone: an area of a city and the stores that deliver into it. Dispatch does not read
 * inventory's locations, so each store's point is part of the zone configuration.
 */
export interface ZoneStore {
  storeId: string;
  geo: GeoPoint;
}

export interface Zone {
  id: string;
  city: string;
  name: string;
  area: AreaGeometry;
  stores: ZoneStore[];
  /** Longest acceptable trip from store to door. Default 30. */
  maxTripMinutes: number;
  /** Vehicle whose speed decides whether an address is within the trip time. */
  referenceVehicle: Vehicle;
  active: boolean;
}

export const DEFAULT_MAX_TRIP_MINUTES = 30;
/** Delivery slots: one hour, and 20 deliveries per store per hour unless the zone says otherwise. */
export const DEFAULT_SLOT_MINUTES = 60;
export const DEFAULT_SLOT_CAPACITY = 20;

export interface ServingStore {
  zoneId: string;
  storeId: string;
  storeGeo: GeoPoint;
  tripMinutes: number;
}

export interface Serviceability {
  served: boolean;
  /** Zones whose area contains the point (served or not by trip time). */
  zoneIds: string[];
  /** Stores that can deliver to the point within their zone's max trip time, fastest first. */
  stores: ServingStore[];
}

/** Zones with a precomputed bounding box so most point-in-polygon tests are a box check. */
export class ZoneMap {
  private readonly entries: Array<{ zone: Zone; bbox: BBox }>;

  constructor(zones: Zone[]) {
    this.entries = zones.filter((z) => z.active).map((zone) => ({ zone, bbox: areaBBox(zone.area) }));
  }

  zonesContaining(p: GeoPoint): Zone[] {
    return this.entries
      .filter((e) => bboxContains(e.bbox, p) && areaContains(e.zone.area, p))
      .map((e) => e.zone);
  }

  serviceability(p: GeoPoint, model: TravelModel, storeId?: string): Serviceability {
    const zones = this.zonesContaining(p);
    const stores: ServingStore[] = [];
    for (const zone of zones) {
      for (const s of zone.stores) {
        if (storeId !== undefined && s.storeId !== storeId) continue;
        const tripMinutes = travelMinutes(model, zone.referenceVehicle, s.geo, p);
        if (tripMinutes <= zone.maxTripMinutes)
          stores.push({ zoneId: zone.id, storeId: s.storeId, storeGeo: s.geo, tripMinutes });
      }
    }
    stores.sort((a, b) => a.tripMinutes - b.tripMinutes);
    return { served: stores.length > 0, zoneIds: zones.map((z) => z.id), stores };
  }

  /** The store's point, from any zone that lists it. */
  storeGeo(storeId: string): GeoPoint | undefined {
    for (const { zone } of this.entries) {
      const s = zone.stores.find((x) => x.storeId === storeId);
      if (s) return s.geo;
    }
    return undefined;
  }
}
