import type { GeoPoint } from './geo';
import { travelMs, type TravelModel, type Vehicle } from './travel';

/**
 * A rider's route: the ordered stops still ahead (pick up at a store, drop at a door, bring a
 * failed delivery back to the store). Batching is inserting a new job's pickup and drop into that
 * route where it costs the least, as long as every promise on the route is still kept.
 */

export type StopKind = 'pickup' | 'drop' | 'return';

export interface Stop {
  kind: StopKind;
  jobId: string;
}

/** What the planner needs to know of a job on (or offered to) a route. Times in epoch ms. */
export interface RouteJob {
  jobId: string;
  storeGeo: GeoPoint;
  destination: GeoPoint;
  promisedAt: number;
  /** When the parcel can be collected (≤ now when ready). */
  readyAt: number;
}

export interface RouteContext {
  model: TravelModel;
  vehicle: Vehicle;
  /** Time spent at each location visited (parking, handover). */
  stopMs: number;
}

export interface RouteEvaluation {
  /** When the last stop is done. */
  endAt: number;
  /** Drop time per job on the route. */
  dropAt: Map<string, number>;
}

function stopGeo(stop: Stop, jobs: ReadonlyMap<string, RouteJob>): GeoPoint {
  const job = jobs.get(stop.jobId);
  if (!job) throw new Error(`route references unknown job ${stop.jobId}`);
  return stop.kind === 'drop' ? job.destination : job.storeGeo;
}

function samePlace(a: GeoPoint, b: GeoPoint): boolean {
  return a.lat === b.lat && a.lng === b.lng;
}

export function evaluateRoute(
  ctx: RouteContext,
  start: GeoPoint,
  startAt: number,
  stops: readonly Stop[],
  jobs: ReadonlyMap<string, RouteJob>,
): RouteEvaluation {
  let at = start;
  let t = startAt;
  let previous: GeoPoint | undefined;
  const dropAt = new Map<string, number>();
  for (const stop of stops) {
    const geo = stopGeo(stop, jobs);
    t += travelMs(ctx.model, ctx.vehicle, at, geo);
    if (stop.kind === 'pickup') t = Math.max(t, jobs.get(stop.jobId)!.readyAt);
    if (stop.kind === 'drop') dropAt.set(stop.jobId, t);
    // Several parcels at one store (or one door) are one visit.
    if (!previous || !samePlace(previous, geo)) t += ctx.stopMs;
    previous = geo;
    at = geo;
  }
  return { endAt: t, dropAt };
}

export interface Insertion {
  stops: Stop[];
  /** Drop time of the inserted job. */
  dropAt: number;
  /** How much longer the route got (for an empty route: the whole trip). */
  addedMs: number;
  endAt: number;
}

/**
 * Cheapest insertion of `job` (pickup then drop) into `stops`. Feasible when the new job is dropped
 * by its promised time, no job already on the route is dropped later than both its promise and its
 * current estimate (a job that is already late may not get later), and the route grows by at most
 * `maxAddedMs` (the batching detour limit; unlimited for an empty route). Null when nothing fits.
 *
 * Tries every (pickup, drop) position pair — n ≤ 2 × capacity stops, so a few dozen pairs — on a
 * virtual sequence (no arrays built per try), abandoning a try as soon as it breaks a promise or
 * can no longer beat the best one found.
 */
export function bestInsertion(
  ctx: RouteContext,
  start: GeoPoint,
  now: number,
  stops: readonly Stop[],
  jobs: ReadonlyMap<string, RouteJob>,
  job: RouteJob,
  maxAddedMs: number,
): Insertion | null {
  const n = stops.length;
  const current = evaluateRoute(ctx, start, now, stops, jobs);
  // Per position of the virtual sequence: place, ready time (pickups), drop deadline (drops).
  const geo: GeoPoint[] = new Array<GeoPoint>(n + 2);
  const ready: number[] = new Array<number>(n + 2);
  const deadline: number[] = new Array<number>(n + 2);
  const existingGeo = stops.map((s) => stopGeo(s, jobs));
  const existingReady = stops.map((s) => (s.kind === 'pickup' ? jobs.get(s.jobId)!.readyAt : -Infinity));
  const existingDeadline = stops.map((s) => {
    if (s.kind !== 'drop') return Infinity;
    return Math.max(current.dropAt.get(s.jobId)!, jobs.get(s.jobId)!.promisedAt);
  });
  const limit = n > 0 ? current.endAt + maxAddedMs : Infinity;
  let best: { i: number; k: number; addedMs: number; dropAt: number; endAt: number } | null = null;

  for (let i = 0; i <= n; i++) {
    for (let k = i; k <= n; k++) {
      // Sequence: stops[0..i) · pickup · stops[i..k) · drop · stops[k..n)
      for (let p = 0; p < n + 2; p++) {
        const src = p < i ? p : p === i ? -1 : p <= k ? p - 1 : p === k + 1 ? -2 : p - 2;
        if (src === -1) {
          geo[p] = job.storeGeo;
          ready[p] = job.readyAt;
          deadline[p] = Infinity;
        } else if (src === -2) {
          geo[p] = job.destination;
          ready[p] = -Infinity;
          deadline[p] = job.promisedAt;
        } else {
          geo[p] = existingGeo[src]!;
          ready[p] = existingReady[src]!;
          deadline[p] = existingDeadline[src]!;
        }
      }
      const cap = Math.min(limit, best ? current.endAt + best.addedMs : Infinity);
      let at = start;
      let t = now;
      let previous: GeoPoint | undefined;
      let dropAt = 0;
      let ok = true;
      for (let p = 0; p < n + 2; p++) {
        const g = geo[p]!;
        t += travelMs(ctx.model, ctx.vehicle, at, g);
        if (t < ready[p]!) t = ready[p]!;
        if (t > deadline[p]!) {
          ok = false;
          break;
        }
        if (p === k + 1) dropAt = t;
        if (!previous || !samePlace(previous, g)) t += ctx.stopMs;
        previous = g;
        at = g;
        if (t > cap) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const addedMs = t - current.endAt;
      // On a tie the later position wins: the stops the rider already has keep their order.
      if (!best || addedMs < best.addedMs || (addedMs === best.addedMs && dropAt <= best.dropAt)) {
        best = { i, k, addedMs, dropAt, endAt: t };
      }
    }
  }
  if (!best) return null;
  const pickup: Stop = { kind: 'pickup', jobId: job.jobId };
  const drop: Stop = { kind: 'drop', jobId: job.jobId };
  return {
    stops: [...stops.slice(0, best.i), pickup, ...stops.slice(best.i, best.k), drop, ...stops.slice(best.k)],
    dropAt: best.dropAt,
    addedMs: best.addedMs,
    endAt: best.endAt,
  };
}

/**
 * A lower bound of the time any insertion of a pickup at `place` adds to the route (the cheapest
 * detour through that point between two consecutive positions — triangle inequality), for
 * skipping riders that cannot compete before the full insertion search.
 */
export function detourLowerBoundMs(
  ctx: RouteContext,
  start: GeoPoint,
  stops: readonly Stop[],
  jobs: ReadonlyMap<string, RouteJob>,
  place: GeoPoint,
): number {
  let prev = start;
  let best = Infinity;
  let last = start;
  for (const s of stops) {
    const g = stopGeo(s, jobs);
    if (samePlace(g, place)) return 0;
    const through =
      travelMs(ctx.model, ctx.vehicle, prev, place) +
      travelMs(ctx.model, ctx.vehicle, place, g) -
      travelMs(ctx.model, ctx.vehicle, prev, g);
    if (through < best) best = through;
    prev = g;
    last = g;
  }
  const appended = travelMs(ctx.model, ctx.vehicle, last, place);
  return Math.max(0, Math.min(best, appended) + ctx.stopMs);
}

/** Removes every stop of a job (delivered, failed-and-returned, cancelled). */
export function withoutJob(stops: readonly Stop[], jobId: string): Stop[] {
  return stops.filter((s) => s.jobId !== jobId);
}
