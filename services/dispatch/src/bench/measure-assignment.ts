import { RiderBoard, DEFAULT_ASSIGNMENT_POLICY, type AssignmentPolicy } from '../domain/assignment';
import { offsetKm, type GeoPoint } from '../domain/geo';
import type { RiderJob, RiderState } from '../domain/rider';
import { DEFAULT_TRAVEL_MODEL, VEHICLES } from '../domain/travel';

export interface AssignmentBenchmarkOptions {
  riders?: number;
  orders?: number;
  stores?: number;
  /** Side of the square city in km. */
  cityKm?: number;
  seed?: number;
  policy?: Partial<AssignmentPolicy>;
}

export interface AssignmentBenchmarkResult {
  riders: number;
  orders: number;
  assigned: number;
  batched: number;
  late: number;
  unassigned: number;
  /** Time to pick a rider for one order (rank + take the best), in ms. */
  perOrderMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Max jobs any rider holds ÷ their capacity (must stay ≤ 1). */
  maxLoadRatio: number;
}

/**
 * Assignment speed at scale, in memory: `riders` riders spread over a city, `orders` orders from
 * `stores` stores arriving one after the other; each is given to the best-ranked rider, who takes
 * it at once (their route and load change, so later orders see batching and full riders). Only the
 * ranking is timed — the store transaction that makes the offer is measured by the service tests.
 */
export function measureAssignment(opts: AssignmentBenchmarkOptions = {}): AssignmentBenchmarkResult {
  const riders = opts.riders ?? 10_000;
  const orders = opts.orders ?? 1_000;
  const cityKm = opts.cityKm ?? 20;
  const now = Date.parse('2030-01-01T12:00:00Z');
  const center: GeoPoint = { lat: 52.52, lng: 13.405 };
  let seed = opts.seed ?? 42;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const somewhere = () => offsetKm(center, (random() - 0.5) * cityKm, (random() - 0.5) * cityKm);
  const policy: AssignmentPolicy = { ...DEFAULT_ASSIGNMENT_POLICY, model: DEFAULT_TRAVEL_MODEL, ...opts.policy };

  const board = new RiderBoard();
  for (let i = 0; i < riders; i++) {
    const rider: RiderState = {
      id: `r${i}`,
      vehicle: VEHICLES[i % VEHICLES.length]!,
      capacity: 1 + (i % 3),
      onDuty: true,
      location: somewhere(),
      locationAt: now,
      jobs: [],
      plan: [],
    };
    board.upsert(rider);
  }
  const stores = Array.from({ length: opts.stores ?? 20 }, (_, i) => ({ storeId: `s${i}`, geo: somewhere() }));

  const timings: number[] = [];
  let assigned = 0;
  let batched = 0;
  let late = 0;
  for (let o = 0; o < orders; o++) {
    const store = stores[o % stores.length]!;
    const destination = offsetKm(store.geo, (random() - 0.5) * 8, (random() - 0.5) * 8);
    const job = { jobId: `j${o}`, storeId: store.storeId, storeGeo: store.geo, destination, promisedAt: now + 60 * 60_000, readyAt: now };
    const started = performance.now();
    const [best] = board.rank(job, now, policy);
    timings.push(performance.now() - started);
    if (!best) continue;
    const rider = board.get(best.riderId)!;
    const entry: RiderJob = { ...job, orderId: `o${o}`, pickedUp: false, returning: false };
    board.upsert({ ...rider, jobs: [...rider.jobs, entry], plan: best.stops });
    assigned++;
    if (best.batched) batched++;
    if (best.late) late++;
  }

  let maxLoadRatio = 0;
  for (const r of board.all()) maxLoadRatio = Math.max(maxLoadRatio, r.jobs.length / r.capacity);
  const sorted = [...timings].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    riders,
    orders,
    assigned,
    batched,
    late,
    unassigned: orders - assigned,
    perOrderMs: { mean: timings.reduce((a, b) => a + b, 0) / Math.max(1, timings.length), p50: pct(50), p90: pct(90), p99: pct(99), max: sorted[sorted.length - 1] ?? 0 },
    maxLoadRatio,
  };
}
