import { describe, expect, it } from 'vitest';
import {
  areaContains,
  haversineKm,
  offsetKm,
  validateArea,
  type AreaGeometry,
  type GeoPoint,
} from '../src/domain/geo';
import { GridIndex } from '../src/domain/spatial-index';
import { DEFAULT_TRAVEL_MODEL, travelMinutes } from '../src/domain/travel';
import { ZoneMap, type Zone } from '../src/domain/zone';
import { bestInsertion, evaluateRoute, type RouteJob } from '../src/domain/route';
import { DEFAULT_ASSIGNMENT_POLICY, RiderBoard, type AssignmentPolicy } from '../src/domain/assignment';
import type { RiderState } from '../src/domain/rider';
import { minutesLate, searchBackoffMs } from '../src/domain/job';
import { reconcileCash } from '../src/domain/cash';

const CENTER: GeoPoint = { lat: 52.52, lng: 13.405 };
const at = (north: number, east: number) => offsetKm(CENTER, north, east);
const pos = (p: GeoPoint): [number, number] => [p.lng, p.lat];
function square(halfKm: number, center = CENTER): [number, number][] {
  const c = (n: number, e: number) => pos(offsetKm(center, n, e));
  return [
    c(-halfKm, -halfKm),
    c(-halfKm, halfKm),
    c(halfKm, halfKm),
    c(halfKm, -halfKm),
    c(-halfKm, -halfKm),
  ];
}

describe('geometry', () => {
  it('haversine agrees with a known distance (Berlin → Paris ≈ 878 km)', () => {
    expect(haversineKm({ lat: 52.52, lng: 13.405 }, { lat: 48.8566, lng: 2.3522 })).toBeCloseTo(877.5, 0);
    expect(haversineKm(CENTER, at(3, 4))).toBeCloseTo(5, 1);
  });

  it('point in polygon respects holes and multipolygons', () => {
    const donut: AreaGeometry = { type: 'Polygon', coordinates: [square(5), square(1)] };
    expect(areaContains(donut, at(3, 3))).toBe(true);
    expect(areaContains(donut, at(0.5, 0))).toBe(false); // in the hole
    expect(areaContains(donut, at(6, 0))).toBe(false);
    const two: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(1)], [square(1, at(10, 0))]] };
    expect(areaContains(two, at(10, 0.5))).toBe(true);
    expect(areaContains(two, at(5, 0))).toBe(false);
  });

  it('reports open rings, bad positions, too few corners and flat rings', () => {
    const open = square(1).slice(0, 4);
    const problems = validateArea({
      type: 'Polygon',
      coordinates: [
        [...open, [13.5, 52.6]],
        [
          [200, 10],
          [1, 1],
          [2, 2],
          [200, 10],
        ],
        [
          [1, 1],
          [2, 2],
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
          [2, 2],
          [0, 0],
        ],
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      '/coordinates/0',
      '/coordinates/1/0',
      '/coordinates/1/3',
      '/coordinates/2',
      '/coordinates/3',
    ]);
    expect(problems[0]!.message).toContain('not closed');
    expect(validateArea({ type: 'Polygon', coordinates: [square(2), square(1)] })).toEqual([]);
  });
});

describe('zones and serviceability', () => {
  const zone: Zone = {
    id: 'Z1',
    city: 'berlin',
    name: 'Mitte',
    area: { type: 'Polygon', coordinates: [square(10), square(0.5, at(5, 5))] },
    stores: [
      { storeId: 'S1', geo: CENTER },
      { storeId: 'S2', geo: at(8, 0) },
    ],
    maxTripMinutes: 20,
    referenceVehicle: 'scooter',
    active: true,
  };
  const map = new ZoneMap([zone]);

  it('serves a point inside the zone within the trip time, nearest store first', () => {
    const s = map.serviceability(at(6, 0), DEFAULT_TRAVEL_MODEL);
    expect(s.served).toBe(true);
    expect(s.stores.map((x) => x.storeId)).toEqual(['S2', 'S1']);
    expect(s.stores[0]!.tripMinutes).toBeCloseTo(
      travelMinutes(DEFAULT_TRAVEL_MODEL, 'scooter', at(8, 0), at(6, 0)),
      6,
    );
  });

  it('does not serve a point in a hole, outside, or too far from every store', () => {
    expect(map.serviceability(at(5, 5), DEFAULT_TRAVEL_MODEL).served).toBe(false);
    expect(map.serviceability(at(11, 0), DEFAULT_TRAVEL_MODEL).served).toBe(false);
    // 9.5 km × 1.3 at 25 km/h ≈ 30 min from S1 (> 20) and ≈ 24 min from S2.
    const far = map.serviceability(at(-9.5, 0), DEFAULT_TRAVEL_MODEL);
    expect(far).toMatchObject({ served: false, zoneIds: ['Z1'], stores: [] });
    expect(map.serviceability(at(6, 0), DEFAULT_TRAVEL_MODEL, 'S1').stores.map((x) => x.storeId)).toEqual([
      'S1',
    ]);
  });
});

describe('grid index', () => {
  it('finds the same k nearest as brute force, after moves and removals', () => {
    const index = new GridIndex(0.5);
    const points = new Map<string, GeoPoint>();
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < 3000; i++) {
      const p = at(rnd() * 15, rnd() * 15);
      points.set(`r${i}`, p);
      index.upsert(`r${i}`, p);
    }
    for (let i = 0; i < 1000; i++) {
      const p = at(rnd() * 15, rnd() * 15);
      points.set(`r${i}`, p);
      index.upsert(`r${i}`, p);
    }
    for (let i = 1000; i < 1500; i++) {
      points.delete(`r${i}`);
      index.remove(`r${i}`);
    }
    expect(index.size).toBe(2500);
    for (let q = 0; q < 25; q++) {
      const center = at(rnd() * 12, rnd() * 12);
      const accept = (id: string) => Number(id.slice(1)) % 3 !== 0;
      const got = index.nearest(center, { maxKm: 8, limit: 10, accept }).map((x) => x.id);
      const expected = [...points]
        .filter(([id]) => accept(id))
        .map(([id, p]) => ({ id, km: haversineKm(center, p) }))
        .filter((x) => x.km <= 8)
        .sort((a, b) => a.km - b.km)
        .slice(0, 10)
        .map((x) => x.id);
      expect(got).toEqual(expected);
    }
  });
});

const policy: AssignmentPolicy = { ...DEFAULT_ASSIGNMENT_POLICY, model: DEFAULT_TRAVEL_MODEL, stopMs: 0 };
const NOW = Date.parse('2030-01-01T12:00:00Z');
const MIN = 60_000;

function rider(id: string, location: GeoPoint, extra: Partial<RiderState> = {}): RiderState {
  return {
    id,
    vehicle: 'scooter',
    capacity: 3,
    onDuty: true,
    location,
    locationAt: NOW,
    jobs: [],
    plan: [],
    ...extra,
  };
}
function job(
  id: string,
  storeGeo: GeoPoint,
  destination: GeoPoint,
  promisedInMin = 60,
): RouteJob & { storeId: string } {
  return {
    jobId: id,
    storeId: 'S1',
    storeGeo,
    destination,
    promisedAt: NOW + promisedInMin * MIN,
    readyAt: NOW,
  };
}

describe('route planning', () => {
  const ctx = { model: DEFAULT_TRAVEL_MODEL, vehicle: 'scooter' as const, stopMs: 2 * MIN };
  it('waits at the store until the parcel is ready and counts one stop per place', () => {
    const j = { ...job('J1', at(1, 0), at(3, 0)), readyAt: NOW + 20 * MIN };
    const ev = evaluateRoute(
      ctx,
      CENTER,
      NOW,
      [
        { kind: 'pickup', jobId: 'J1' },
        { kind: 'drop', jobId: 'J1' },
      ],
      new Map([['J1', j]]),
    );
    const trip = travelMinutes(DEFAULT_TRAVEL_MODEL, 'scooter', at(1, 0), at(3, 0)) * MIN;
    expect(ev.dropAt.get('J1')).toBeCloseTo(NOW + 20 * MIN + 2 * MIN + trip, -1);
    expect(ev.endAt).toBeCloseTo(NOW + 24 * MIN + trip, -1);
  });

  it('inserts a second job from the same store between the pickup and the first drop', () => {
    const a = job('A', at(0, 0), at(4, 0));
    const b = job('B', at(0, 0), at(2, 0));
    const jobs = new Map([['A', a]]);
    const ins = bestInsertion(
      ctx,
      at(-1, 0),
      NOW,
      [
        { kind: 'pickup', jobId: 'A' },
        { kind: 'drop', jobId: 'A' },
      ],
      jobs,
      b,
      10 * MIN,
    );
    expect(ins?.stops.map((s) => `${s.kind}:${s.jobId}`)).toEqual([
      'pickup:A',
      'pickup:B',
      'drop:B',
      'drop:A',
    ]);
    // Dropping B on the way costs only its door stop.
    expect(ins!.addedMs).toBeCloseTo(2 * MIN, -3);
  });

  it('refuses an insertion that would break the promise of a job already on the route', () => {
    const a = job('A', at(0, 0), at(4, 0), 16); // ≈ 12.8 min of travel + 2 min at the store: on time alone
    const b = job('B', at(0, 0), at(0, 3));
    const jobs = new Map([['A', a]]);
    const alone = evaluateRoute(
      ctx,
      at(-0.1, 0),
      NOW,
      [
        { kind: 'pickup', jobId: 'A' },
        { kind: 'drop', jobId: 'A' },
      ],
      jobs,
    );
    expect(alone.dropAt.get('A')!).toBeLessThanOrEqual(a.promisedAt);
    const ins = bestInsertion(
      ctx,
      at(-0.1, 0),
      NOW,
      [
        { kind: 'pickup', jobId: 'A' },
        { kind: 'drop', jobId: 'A' },
      ],
      jobs,
      b,
      60 * MIN,
    );
    // Only B after A keeps A's promise.
    expect(ins?.stops.map((s) => `${s.kind}:${s.jobId}`)).toEqual([
      'pickup:A',
      'pickup:B',
      'drop:A',
      'drop:B',
    ]);
  });
});

describe('rider board ranking', () => {
  it('picks the nearest idle rider (by travel time: a car further away can beat a bike)', () => {
    const board = new RiderBoard();
    board.upsert(rider('near', at(0.5, 0)));
    board.upsert(rider('far', at(3, 0)));
    board.upsert(rider('bike', at(0.4, 0), { vehicle: 'bike' }));
    const ranked = board.rank(job('J', CENTER, at(0, 2)), NOW, policy);
    expect(ranked.map((c) => c.riderId)).toEqual(['near', 'bike', 'far']);
  });

  it('skips riders off duty, stale, full, holding an offer, of another zone or excluded', () => {
    const board = new RiderBoard();
    board.upsert(rider('off', at(0.1, 0), { onDuty: false }));
    board.upsert(rider('stale', at(0.1, 0), { locationAt: NOW - 61_000 }));
    board.upsert(rider('offered', at(0.1, 0), { offerJobId: 'X' }));
    board.upsert(rider('zoned', at(0.1, 0), { zoneId: 'Z2' }));
    board.upsert(rider('excluded', at(0.1, 0)));
    board.upsert(rider('ok', at(5, 0), { zoneId: 'Z1' }));
    const ranked = board.rank(
      { ...job('J', CENTER, at(0, 2)), zoneId: 'Z1', excludedRiderIds: new Set(['excluded']) },
      NOW,
      policy,
    );
    expect(ranked.map((c) => c.riderId)).toEqual(['ok']);
  });

  it('prefers the SLA: a near bike that would be late loses to a car that is on time', () => {
    const board = new RiderBoard();
    board.upsert(rider('bike', at(0.2, 0), { vehicle: 'bike' }));
    board.upsert(rider('car', at(2, 0), { vehicle: 'car' }));
    // 6 km trip: bike ≈ 31 min, car ≈ 15.6 + 5.2 to the store.
    const ranked = board.rank(job('J', CENTER, at(0, 6), 25), NOW, policy);
    expect(ranked.map((c) => c.riderId)).toEqual(['car']);
  });

  it('offers a job nobody can deliver on time to the idle rider who is soonest, marked late', () => {
    const board = new RiderBoard();
    board.upsert(rider('a', at(1, 0)));
    board.upsert(rider('b', at(3, 0)));
    const ranked = board.rank(job('J', CENTER, at(0, 6), 5), NOW, policy);
    expect(ranked.map((c) => [c.riderId, c.late])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(board.rank(job('J', CENTER, at(0, 6), 5), NOW, { ...policy, allowLateAssignment: false })).toEqual(
      [],
    );
  });

  it('batches onto a rider heading to the same store, within capacity', () => {
    const board = new RiderBoard();
    const a = { ...job('A', CENTER, at(0, 3)), orderId: 'oA', pickedUp: false, returning: false };
    board.upsert(
      rider('busy', at(4, 0), {
        jobs: [a],
        plan: [
          { kind: 'pickup', jobId: 'A' },
          { kind: 'drop', jobId: 'A' },
        ],
      }),
    );
    board.upsert(rider('idle', at(1, 0)));
    const ranked = board.rank(job('B', CENTER, at(0, 2.5)), NOW, policy);
    expect(ranked[0]).toMatchObject({ riderId: 'busy', batched: true });
    expect(ranked.map((c) => c.riderId)).toContain('idle');
    const full = rider('busy', at(4, 0), {
      capacity: 1,
      jobs: [a],
      plan: [
        { kind: 'pickup', jobId: 'A' },
        { kind: 'drop', jobId: 'A' },
      ],
    });
    board.upsert(full);
    expect(board.rank(job('B', CENTER, at(0, 2.5)), NOW, policy).map((c) => c.riderId)).toEqual(['idle']);
  });
});

describe('small rules', () => {
  it('minutes late round up; backoff doubles to a cap', () => {
    expect(minutesLate(NOW, NOW)).toBe(0);
    expect(minutesLate(NOW, NOW + 10_000)).toBe(1);
    expect(minutesLate(NOW, NOW + 7 * MIN)).toBe(7);
    expect([1, 2, 3, 4, 5, 6].map((a) => searchBackoffMs(a, 5_000, 60_000))).toEqual([
      5_000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
  });

  it('reconciles cash per currency and lists discrepancies', () => {
    const eur = (n: number) => ({ amountMinor: n, currency: 'EUR' });
    const report = reconcileCash([
      { jobId: 'j1', orderId: 'o1', expected: eur(1000), collected: eur(1000) },
      { jobId: 'j2', orderId: 'o2', expected: eur(2500), collected: eur(2000) },
      { jobId: 'j3', orderId: 'o3', expected: null, collected: null },
    ]);
    expect(report.totals).toEqual([
      { currency: 'EUR', expectedMinor: 3500, collectedMinor: 3000, differenceMinor: -500 },
    ]);
    expect(report.discrepancies.map((d) => [d.jobId, d.differenceMinor])).toEqual([['j2', -500]]);
    expect(report.balanced).toBe(false);
  });
});
