import { haversineKm, type GeoPoint } from './geo';

/**
 * Travel-time model without a road graph: straight-line (haversine) distance times a detour factor
 * (streets are not straight), at an average speed per vehicle type.
 */

export const VEHICLES = ['bike', 'scooter', 'car'] as const;
export type Vehicle = (typeof VEHICLES)[number];

export interface TravelModel {
  /** Average speed per vehicle in km/h. */
  speedsKmh: Record<Vehicle, number>;
  /** Road distance ÷ straight-line distance (typically 1.2-1.4 in cities). */
  detourFactor: number;
}

export const DEFAULT_TRAVEL_MODEL: TravelModel = {
  speedsKmh: { bike: 15, scooter: 25, car: 30 },
  detourFactor: 1.3,
};

export const MS_PER_MINUTE = 60_000;

/** Estimated travel time in milliseconds. */
export function travelMs(model: TravelModel, vehicle: Vehicle, from: GeoPoint, to: GeoPoint): number {
  return travelMsForKm(model, vehicle, haversineKm(from, to));
}

export function travelMsForKm(model: TravelModel, vehicle: Vehicle, straightKm: number): number {
  return ((straightKm * model.detourFactor) / model.speedsKmh[vehicle]) * 3_600_000;
}

export function travelMinutes(model: TravelModel, vehicle: Vehicle, from: GeoPoint, to: GeoPoint): number {
  return travelMs(model, vehicle, from, to) / MS_PER_MINUTE;
}

/** The fastest configured speed: lower bound of anyone's travel time, for pruning searches. */
export function maxSpeedKmh(model: TravelModel): number {
  return Math.max(...VEHICLES.map((v) => model.speedsKmh[v]));
}
