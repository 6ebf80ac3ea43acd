import type { GeoPoint } from './geo';
import type { RouteJob, Stop } from './route';
import type { Vehicle } from './travel';

/** A job on a rider's route, as the rider document keeps it (times as ISO strings in the store). */
export interface RiderJob extends RouteJob {
  orderId: string;
  storeId: string;
  /** Picked up at the store: the drop is what is left. */
  pickedUp: boolean;
  /** Delivery failed: the parcel goes back to the store. */
  returning: boolean;
}

/** What dispatch knows of a rider at one moment: the spatial board keeps one per rider. */
export interface RiderState {
  id: string;
  vehicle: Vehicle;
  capacity: number;
  /** Home zone; a rider without one may work in any zone. */
  zoneId?: string;
  onDuty: boolean;
  location?: GeoPoint;
  /** Epoch ms of the last location fix. */
  locationAt?: number;
  /** Jobs the rider holds (assigned, carried or being returned); never above capacity. */
  jobs: RiderJob[];
  /** Remaining stops, in order. */
  plan: Stop[];
  /** Job of the offer the rider holds (at most one), if any. */
  offerJobId?: string;
  /** Store version of this copy: an older copy never replaces a newer one. */
  version?: number;
}

export type RiderStatus = 'off_duty' | 'idle' | 'to_store' | 'carrying';

/**
 * idle: on duty with nothing; to_store: holds jobs none of which is picked up yet; carrying: has
 * parcels on board (n = how many).
 */
export function riderStatus(r: Pick<RiderState, 'onDuty' | 'jobs'>): {
  status: RiderStatus;
  carrying: number;
} {
  const carrying = r.jobs.filter((j) => j.pickedUp || j.returning).length;
  if (!r.onDuty && r.jobs.length === 0) return { status: 'off_duty', carrying: 0 };
  if (r.jobs.length === 0) return { status: 'idle', carrying: 0 };
  return carrying > 0 ? { status: 'carrying', carrying } : { status: 'to_store', carrying: 0 };
}

export function isLocationFresh(r: Pick<RiderState, 'locationAt'>, now: number, staleMs: number): boolean {
  return r.locationAt !== undefined && now - r.locationAt <= staleMs;
}
