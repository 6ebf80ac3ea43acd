import { describe, expect, it } from 'vitest';
import { chooseRoute, type LocationOption, type RoutingPolicy } from '../src/domain/routing';
import { distanceKm } from '../src/domain/geo';

const policy: RoutingPolicy = { deliveryRadiusKm: 5, warehouseDeliveryRadiusKm: 50 };
const lines = [
  { sku: 'A', qty: 2 },
  { sku: 'B', qty: 1 },
];
const HOME = { lat: 52.52, lng: 13.405 };
/** A point `km` east of HOME. */
const east = (km: number) => ({
  lat: HOME.lat,
  lng: HOME.lng + km / (111.32 * Math.cos((HOME.lat * Math.PI) / 180)),
});

function loc(
  id: string,
  type: 'store' | 'warehouse',
  km: number,
  covers: boolean,
  extra: Partial<LocationOption> = {},
): LocationOption {
  return {
    locationId: id,
    type,
    geo: east(km),
    distanceKm: km,
    coversAll: covers,
    available: covers
      ? lines.map((l) => ({ ...l }))
      : [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 1 },
        ],
    ...extra,
  };
}

describe('routing: pickup', () => {
  it('keeps the chosen store when it has every line', () => {
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'S1', allowAlternative: false },
      [loc('S2', 'store', 1, true), loc('S1', 'store', 3, true)],
      new Map(),
      policy,
    );
    expect(r).toMatchObject({ ok: true, locationId: 'S1', locationType: 'store' });
    expect(r.ok && r.reason).toContain('chosen store S1');
  });

  it('suggests the store nearest to the chosen one that has everything, naming what is missing', () => {
    // Distances are measured from the chosen store (at 10 km), not from the query origin.
    const options = [
      loc('S1', 'store', 10, false),
      loc('S_far', 'store', 2, true),
      loc('S_near', 'store', 11, true),
      loc('W1', 'warehouse', 10.5, true),
    ];
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'S1', allowAlternative: false },
      options,
      new Map(),
      policy,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('pickup-store-cannot-serve');
    expect(r.suggestion?.locationId).toBe('S_near');
    expect(r.suggestion?.distanceKm).toBeCloseTo(1, 1);
    expect(r.reason).toContain('A (1 of 2)');
    expect(r.candidates.find((c) => c.locationId === 'W1')?.skipped).toBe('not a store');
  });

  it('switches automatically when allowed, and says why (paused)', () => {
    const paused = new Map([['S1', 'paused for pickup: queue overdue']]);
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'S1', allowAlternative: true },
      [loc('S1', 'store', 0, true), loc('S2', 'store', 2, true)],
      paused,
      policy,
    );
    expect(r).toMatchObject({ ok: true, locationId: 'S2' });
    expect(r.ok && r.reason).toContain('paused for pickup: queue overdue');
  });

  it('refuses when no pickup store has everything', () => {
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'S1', allowAlternative: true },
      [loc('S1', 'store', 0, false), loc('W1', 'warehouse', 1, true)],
      new Map(),
      policy,
    );
    expect(r).toMatchObject({ ok: false, code: 'no-location' });
  });

  it('uses the customer point when the chosen store is unknown to inventory', () => {
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'GONE', allowAlternative: false, origin: east(20) },
      [loc('S1', 'store', 1, true), loc('S2', 'store', 19, true)],
      new Map(),
      policy,
    );
    expect(r.ok === false && r.suggestion?.locationId).toBe('S2');
  });
});

describe('routing: local delivery', () => {
  it('takes the nearest store within the radius that has every line', () => {
    const options = [
      loc('S_partial', 'store', 0.5, false),
      loc('S2', 'store', 3, true),
      loc('S1', 'store', 1.5, true),
      loc('S_far', 'store', 7, true),
      loc('W1', 'warehouse', 2, true),
    ];
    const r = chooseRoute({ method: 'delivery', lines, destination: HOME }, options, new Map(), policy);
    expect(r).toMatchObject({ ok: true, locationId: 'S1', locationType: 'store' });
    if (!r.ok) return;
    expect(r.distanceKm).toBeCloseTo(1.5, 1);
    expect(r.reason).toContain('within 5 km');
    const why = Object.fromEntries(r.candidates.map((c) => [c.locationId, c.skipped]));
    expect(why).toMatchObject({
      S_partial: 'does not have every line',
      S_far: 'outside the 5 km store delivery radius',
    });
  });

  it('falls back to a warehouse within its radius, then refuses a split', () => {
    const r = chooseRoute(
      { method: 'delivery', lines, destination: HOME },
      [loc('S1', 'store', 2, false), loc('W1', 'warehouse', 30, true)],
      new Map(),
      policy,
    );
    expect(r).toMatchObject({ ok: true, locationId: 'W1', locationType: 'warehouse' });
    expect(r.ok && r.reason).toContain('no store within 5 km');

    const split = chooseRoute(
      { method: 'delivery', lines, destination: HOME },
      [loc('S1', 'store', 2, false), loc('W1', 'warehouse', 80, true)],
      new Map(),
      policy,
    );
    expect(split).toMatchObject({ ok: false, code: 'split-not-supported' });
    const none = chooseRoute({ method: 'delivery', lines, destination: HOME }, [], new Map(), policy);
    expect(none).toMatchObject({ ok: false, code: 'no-location' });
  });

  it('skips excluded stores (paused, tried) and lists them with the reason', () => {
    const excluded = new Map([
      ['S1', 'paused for pickup'],
      ['S9', 'tried before for this order'],
    ]);
    const r = chooseRoute(
      { method: 'delivery', lines, destination: HOME },
      [loc('S1', 'store', 1, true), loc('S2', 'store', 4, true)],
      excluded,
      policy,
    );
    expect(r).toMatchObject({ ok: true, locationId: 'S2' });
    if (!r.ok) return;
    expect(r.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locationId: 'S1', skipped: 'paused for pickup' }),
        expect.objectContaining({ locationId: 'S9', skipped: 'tried before for this order' }),
      ]),
    );
  });
});

describe('routing: ship', () => {
  it('prefers a warehouse over a nearer store, then a store that ships', () => {
    const r = chooseRoute(
      { method: 'ship', lines },
      [loc('S1', 'store', 1, true), loc('W2', 'warehouse', 300, true), loc('W1', 'warehouse', 100, true)],
      new Map(),
      policy,
    );
    expect(r).toMatchObject({ ok: true, locationId: 'W1', locationType: 'warehouse' });
    const store = chooseRoute(
      { method: 'ship', lines },
      [loc('S1', 'store', 1, true), loc('W1', 'warehouse', 100, false)],
      new Map(),
      policy,
    );
    expect(store).toMatchObject({ ok: true, locationId: 'S1' });
    expect(store.ok && store.reason).toContain('no warehouse has every line');
  });

  it('keeps inventory order when no distances are known', () => {
    const noDist = (o: LocationOption): LocationOption => ({ ...o, distanceKm: undefined, geo: undefined });
    const r = chooseRoute(
      { method: 'ship', lines },
      [noDist(loc('W2', 'warehouse', 0, true)), noDist(loc('W1', 'warehouse', 0, true))],
      new Map(),
      policy,
    );
    expect(r).toMatchObject({ ok: true, locationId: 'W2' });
  });
});

describe('geo', () => {
  it('measures great-circle distance in km', () => {
    expect(distanceKm(HOME, east(3))).toBeCloseTo(3, 1);
    expect(distanceKm({ lat: 0, lng: 0 }, { lat: 0, lng: 1 })).toBeCloseTo(111.2, 0);
  });
});
