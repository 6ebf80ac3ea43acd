import { haversineKm, type GeoPoint } from './geo';
import { isLocationFresh, type RiderState } from './rider';
import { bestInsertion, detourLowerBoundMs, type RouteJob, type Stop } from './route';
import { GridIndex } from './spatial-index';
import { maxSpeedKmh, travelMs, type TravelModel } from './travel';

/**
 * Who should deliver a job: the rider for whom taking it adds the least route time — an idle rider
 * near the store (whose trip to the store and on to the door keeps the promise), or a rider already
 * on the road whose route absorbs it with a small detour (batching) without breaking any promise on
 * that route and within capacity.
 *
 * The board is an in-memory projection of the riders (the store stays the arbiter: an offer is only
 * made by a conditional update on the rider document). Candidates come from a grid index around
 * the store, plus the riders already heading to that store, so ranking costs the same with 100 or
 * 100,000 riders on duty.
 */

export interface AssignmentPolicy {
  model: TravelModel;
  /** Time at each location visited (handover at the store, at the door). */
  stopMs: number;
  /** A rider whose last location is older than this is not offered work. */
  staleLocationMs: number;
  /** How far from the store riders are looked for. */
  searchRadiusKm: number;
  /** Batching: most a route may grow to take one more job. */
  maxDetourMs: number;
  /** Riders examined at least (when there are that many) before the search may stop early. */
  minRidersExamined: number;
  /** How many ranked candidates to return (the next ones are tried when an offer cannot be made). */
  maxCandidates: number;
  /** When nobody can keep the promise, offer the job to the idle rider who delivers it soonest. */
  allowLateAssignment: boolean;
}

export const DEFAULT_ASSIGNMENT_POLICY: Omit<AssignmentPolicy, 'model'> = {
  stopMs: 2 * 60_000,
  staleLocationMs: 60_000,
  searchRadiusKm: 12,
  maxDetourMs: 10 * 60_000,
  minRidersExamined: 24,
  maxCandidates: 5,
  allowLateAssignment: true,
};

export interface JobToAssign extends RouteJob {
  storeId: string;
  /** Zone of the destination; riders of other zones are not considered. */
  zoneId?: string;
  /** Riders who declined or let an offer for this job time out. */
  excludedRiderIds?: ReadonlySet<string>;
}

export interface Candidate {
  riderId: string;
  /** Route time the job adds for this rider (the ranking cost). */
  addedMs: number;
  /** Estimated drop time of the job. */
  dropAt: number;
  /** The rider's route with the job inserted. */
  stops: Stop[];
  /** The rider already holds other jobs. */
  batched: boolean;
  /** The estimate misses the promised time (only with allowLateAssignment). */
  late: boolean;
}

export class RiderBoard {
  private readonly riders = new Map<string, RiderState>();
  private readonly index: GridIndex;
  /** Riders with a pickup still to make at a store: the natural batching candidates. */
  private readonly headingTo = new Map<string, Set<string>>();
  private readonly storesOf = new Map<string, string[]>();

  constructor(cellKm = 1) {
    this.index = new GridIndex(cellKm);
  }

  get size(): number {
    return this.riders.size;
  }

  get(id: string): RiderState | undefined {
    return this.riders.get(id);
  }

  all(): IterableIterator<RiderState> {
    return this.riders.values();
  }

  /** Adds or replaces a rider; false (and nothing changes) when `rider` is older than the copy held. */
  upsert(rider: RiderState): boolean {
    const held = this.riders.get(rider.id);
    if (held?.version !== undefined && rider.version !== undefined && rider.version < held.version)
      return false;
    this.riders.set(rider.id, rider);
    if (rider.onDuty && rider.location) this.index.upsert(rider.id, rider.location);
    else this.index.remove(rider.id);
    for (const storeId of this.storesOf.get(rider.id) ?? []) this.headingTo.get(storeId)?.delete(rider.id);
    const stores = [...new Set(rider.jobs.filter((j) => !j.pickedUp && !j.returning).map((j) => j.storeId))];
    for (const storeId of stores) {
      let set = this.headingTo.get(storeId);
      if (!set) this.headingTo.set(storeId, (set = new Set()));
      set.add(rider.id);
    }
    if (stores.length > 0) this.storesOf.set(rider.id, stores);
    else this.storesOf.delete(rider.id);
    return true;
  }

  remove(id: string): void {
    this.riders.delete(id);
    this.index.remove(id);
    for (const storeId of this.storesOf.get(id) ?? []) this.headingTo.get(storeId)?.delete(id);
    this.storesOf.delete(id);
  }

  /** Moves a rider (location updates are the hottest write path: O(1) in the index). */
  move(id: string, location: GeoPoint, at: number): void {
    const rider = this.riders.get(id);
    if (!rider) return;
    rider.location = location;
    rider.locationAt = at;
    if (rider.onDuty) this.index.upsert(id, location);
  }

  /** Riders ordered by the route time the job would add to theirs, best first (at most maxCandidates). */
  rank(job: JobToAssign, now: number, policy: AssignmentPolicy): Candidate[] {
    const limit = policy.maxCandidates;
    const top: Candidate[] = []; // ascending by cost, at most `limit`
    const lateOptions: Candidate[] = [];
    // Riders heading to the store are considered first; the scan must not count them twice.
    const heading = this.headingTo.get(job.storeId);
    let examined = 0;
    const threshold = () => (top.length < limit ? Infinity : top[top.length - 1]!.addedMs);
    const keep = (c: Candidate) => {
      let i = top.length;
      while (i > 0 && byCost(c, top[i - 1]!) < 0) i--;
      top.splice(i, 0, c);
      if (top.length > limit) top.pop();
    };

    const consider = (rider: RiderState, fromScan: boolean): void => {
      if (fromScan && heading?.has(rider.id)) return;
      if (!this.eligible(rider, job, now, policy)) return;
      examined++;
      if (rider.plan.length === 0) {
        const c = this.idleTrip(rider, job, now, policy);
        if (!c.late) {
          if (c.addedMs <= threshold()) keep(c);
        } else if (policy.allowLateAssignment && rider.jobs.length === 0) lateOptions.push(c);
        return;
      }
      const ctx = { model: policy.model, vehicle: rider.vehicle, stopMs: policy.stopMs };
      const jobs = new Map<string, RouteJob>(rider.jobs.map((j) => [j.jobId, j]));
      // Cheap bound first: most busy riders are too far off their route to compete.
      const lower = detourLowerBoundMs(ctx, rider.location!, rider.plan, jobs, job.storeGeo);
      if (lower > policy.maxDetourMs || lower > threshold()) return;
      const insertion = bestInsertion(ctx, rider.location!, now, rider.plan, jobs, job, policy.maxDetourMs);
      if (insertion && insertion.addedMs <= threshold()) {
        keep({
          riderId: rider.id,
          addedMs: insertion.addedMs,
          dropAt: insertion.dropAt,
          stops: insertion.stops,
          batched: rider.jobs.length > 0,
          late: false,
        });
      }
    };

    for (const id of heading ?? []) {
      const rider = this.riders.get(id);
      if (rider) consider(rider, false);
    }

    // The least an unseen idle rider at distance ≥ d could add: reach the store at top speed, the
    // handover, the trip to the door at top speed, the handover there.
    const maxKmh = maxSpeedKmh(policy.model);
    const fastestMs = (km: number) => ((km * policy.model.detourFactor) / maxKmh) * 3_600_000;
    const stops =
      job.storeGeo.lat === job.destination.lat && job.storeGeo.lng === job.destination.lng ? 1 : 2;
    const tripLowerMs = fastestMs(haversineKm(job.storeGeo, job.destination)) + stops * policy.stopMs;
    this.index.scan(
      job.storeGeo,
      policy.searchRadiusKm,
      (id) => consider(this.riders.get(id)!, true),
      (boundKm) =>
        examined >= policy.minRidersExamined &&
        top.length > 0 &&
        fastestMs(boundKm) + tripLowerMs >= top[0]!.addedMs,
    );

    if (top.length > 0) return top;
    return lateOptions
      .sort((a, b) => a.dropAt - b.dropAt || a.riderId.localeCompare(b.riderId))
      .slice(0, limit);
  }

  /** An idle rider's trip: to the store, wait for the parcel, hand over, to the door, hand over. */
  private idleTrip(rider: RiderState, job: JobToAssign, now: number, policy: AssignmentPolicy): Candidate {
    const toStore = travelMs(policy.model, rider.vehicle, rider.location!, job.storeGeo);
    const pickedUpAt = Math.max(now + toStore, job.readyAt) + policy.stopMs;
    const dropAt = pickedUpAt + travelMs(policy.model, rider.vehicle, job.storeGeo, job.destination);
    const samePlace = job.storeGeo.lat === job.destination.lat && job.storeGeo.lng === job.destination.lng;
    const endAt = dropAt + (samePlace ? 0 : policy.stopMs);
    return {
      riderId: rider.id,
      addedMs: endAt - now,
      dropAt,
      stops: [
        { kind: 'pickup', jobId: job.jobId },
        { kind: 'drop', jobId: job.jobId },
      ],
      batched: false,
      late: dropAt > job.promisedAt,
    };
  }

  private eligible(rider: RiderState, job: JobToAssign, now: number, policy: AssignmentPolicy): boolean {
    return (
      rider.onDuty &&
      rider.location !== undefined &&
      rider.offerJobId === undefined &&
      rider.jobs.length < rider.capacity &&
      isLocationFresh(rider, now, policy.staleLocationMs) &&
      (job.zoneId === undefined || rider.zoneId === undefined || rider.zoneId === job.zoneId) &&
      !(job.excludedRiderIds?.has(rider.id) ?? false) &&
      !rider.jobs.some((j) => j.jobId === job.jobId)
    );
  }
}

function byCost(a: Candidate, b: Candidate): number {
  return a.addedMs - b.addedMs || a.dropAt - b.dropAt || a.riderId.localeCompare(b.riderId);
}
