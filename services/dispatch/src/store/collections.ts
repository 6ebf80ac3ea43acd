import type { Collection, DocumentStore } from '@omni/store';
import type { AreaGeometry, GeoPoint } from '../domain/geo';
import type { JobStatus } from '../domain/job';
import type { RiderJob, RiderState } from '../domain/rider';
import type { Stop } from '../domain/route';
import type { Vehicle } from '../domain/travel';
import type { Money } from '../domain/cash';
import type { Zone } from '../domain/zone';

/** Stored documents of dispatch. Times are ISO-8601 UTC strings (sortable in both adapters). */

export interface ZoneDoc {
  _id: string;
  city: string;
  name: string;
  area: AreaGeometry;
  stores: Array<{ storeId: string; geo: GeoPoint }>;
  maxTripMinutes: number;
  referenceVehicle: Vehicle;
  /** Delivery slots of this zone: length, and deliveries per store per slot (absent: the defaults). */
  slotMinutes?: number;
  slotCapacity?: number;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

export interface RiderJobDoc {
  jobId: string;
  orderId: string;
  storeId: string;
  storeGeo: GeoPoint;
  destination: GeoPoint;
  promisedAt: string;
  readyAt: string;
  pickedUp: boolean;
  returning: boolean;
}

export interface RiderOffer {
  jobId: string;
  expiresAt: string;
}

export interface RiderDoc {
  _id: string;
  name: string;
  vehicle: Vehicle;
  capacity: number;
  zoneId: string | null;
  onDuty: boolean;
  shiftId: string | null;
  location: GeoPoint | null;
  locationAt: string | null;
  /** Jobs the rider holds, at most `capacity`. */
  jobs: RiderJobDoc[];
  /** capacity − jobs.length, kept in step so "has room" is a plain conditional filter. */
  freeSlots: number;
  plan: Stop[];
  /** The one offer a rider may hold. */
  offer: RiderOffer | null;
  /** Bumped by every write: the spatial board ignores older copies. */
  version: number;
  /** Bumped by writes of jobs/plan: guards read-modify-write of the route. */
  routeVersion: number;
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

export interface ShiftDoc {
  _id: string;
  riderId: string;
  startedAt: string;
  endedAt: string | null;
  [k: string]: unknown;
}

export interface JobOffer {
  riderId: string;
  offeredAt: string;
  expiresAt: string;
  etaAt: string;
  batched: boolean;
  late: boolean;
}

export interface JobDoc {
  _id: string;
  orderId: string;
  routeAttempt: number;
  storeId: string;
  storeGeo: GeoPoint | null;
  zoneId: string | null;
  destination: GeoPoint;
  address: { lines: string[]; city: string; postalCode: string; country: string } | null;
  customerId: string | null;
  customerName: string | null;
  status: JobStatus;
  promisedAt: string;
  createdAt: string;
  updatedAt: string;
  /** The store must confirm before this. */
  storeConfirmBy: string;
  storeConfirmedAt: string | null;
  /** Estimated (on confirm) or actual (marked ready) time the parcel can be collected. */
  readyAt: string | null;
  ready: boolean;
  /** When a confirmed job starts looking for riders (ready time − lead). */
  searchFrom: string | null;
  /** Next search while `searching` (backoff after "no rider"). */
  nextSearchAt: string | null;
  searchAttempts: number;
  noRiderAlerted: boolean;
  offer: JobOffer | null;
  offersMade: number;
  /** Riders who declined or let an offer lapse: not asked again. */
  excludedRiderIds: string[];
  riderId: string | null;
  shiftId: string | null;
  assignedAt: string | null;
  etaAt: string | null;
  batched: boolean;
  parcelCode: string;
  deliveryCode: string;
  podAttempts: number;
  pickedUpAt: string | null;
  enRouteAt: string | null;
  deliveredAt: string | null;
  proof: { kind: 'code' | 'photo'; photoUrl?: string; distanceM?: number } | null;
  cod: { amountDue: Money } | null;
  codCollected: Money | null;
  failure: { reason: string; at: string } | null;
  returnedAt: string | null;
  rejection: { reason: string; timedOut: boolean; at: string } | null;
  voided: { reason: string; at: string } | null;
  lateNotifiedAt: string | null;
  minutesLate: number | null;
  [k: string]: unknown;
}

/** Per order: which route attempts are void, so late or repeated events cannot revive a job. */
export interface OrderRouteDoc {
  _id: string;
  cancelled: boolean;
  /** Highest route attempt confirmed so far. */
  maxAttempt: number;
  /** Jobs at `locationId` with routeAttempt ≤ `throughAttempt` are void. */
  voids: Array<{ locationId: string; throughAttempt: number }>;
  [k: string]: unknown;
}

export interface Collections {
  zones: Collection<ZoneDoc>;
  riders: Collection<RiderDoc>;
  shifts: Collection<ShiftDoc>;
  jobs: Collection<JobDoc>;
  orderRoutes: Collection<OrderRouteDoc>;
}

export function declareCollections(store: DocumentStore): Collections {
  return {
    zones: store.collection<ZoneDoc>({ name: 'zones', indexes: [{ keys: { city: 1 } }] }),
    riders: store.collection<RiderDoc>({
      name: 'riders',
      indexes: [{ keys: { onDuty: 1 } }, { keys: { zoneId: 1 } }, { keys: { updatedAt: 1 } }],
    }),
    shifts: store.collection<ShiftDoc>({ name: 'shifts', indexes: [{ keys: { riderId: 1, startedAt: 1 } }] }),
    jobs: store.collection<JobDoc>({
      name: 'delivery_jobs',
      indexes: [
        { keys: { orderId: 1, routeAttempt: 1 }, unique: true },
        { keys: { status: 1 } },
        { keys: { storeId: 1, status: 1 } },
        { keys: { riderId: 1, status: 1 } },
        { keys: { riderId: 1, shiftId: 1 } },
      ],
    }),
    orderRoutes: store.collection<OrderRouteDoc>('order_routes'),
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const ms = (isoTime: string): number => Date.parse(isoTime);

export function riderJobFromDoc(j: RiderJobDoc): RiderJob {
  return {
    jobId: j.jobId,
    orderId: j.orderId,
    storeId: j.storeId,
    storeGeo: j.storeGeo,
    destination: j.destination,
    promisedAt: ms(j.promisedAt),
    readyAt: ms(j.readyAt),
    pickedUp: j.pickedUp,
    returning: j.returning,
  };
}

export function riderStateFromDoc(doc: RiderDoc): RiderState & { version: number } {
  return {
    id: doc._id,
    vehicle: doc.vehicle,
    capacity: doc.capacity,
    ...(doc.zoneId ? { zoneId: doc.zoneId } : {}),
    onDuty: doc.onDuty,
    ...(doc.location ? { location: doc.location } : {}),
    ...(doc.locationAt ? { locationAt: ms(doc.locationAt) } : {}),
    jobs: doc.jobs.map(riderJobFromDoc),
    plan: doc.plan,
    ...(doc.offer ? { offerJobId: doc.offer.jobId } : {}),
    version: doc.version,
  };
}

export function zoneFromDoc(doc: ZoneDoc): Zone {
  return {
    id: doc._id,
    city: doc.city,
    name: doc.name,
    area: doc.area,
    stores: doc.stores,
    maxTripMinutes: doc.maxTripMinutes,
    referenceVehicle: doc.referenceVehicle,
    active: doc.active,
  };
}
