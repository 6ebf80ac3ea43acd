import { describe, expect, it } from 'vitest';
import { chooseRoute, type LocationOption } from '../src/domain/routing';
import { servingStores, type DeliveryZone, type ServingStore } from '../src/domain/zones';
import { distanceKm } from '../src/domain/geo';

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
    );
    expect(r).toMatchObject({ ok: true, locationId: 'S2' });
    expect(r.ok && r.reason).toContain('paused for pickup: queue overdue');
  });

  it('refuses when no pickup store has everything', () => {
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'S1', allowAlternative: true },
      [loc('S1', 'store', 0, false), loc('W1', 'warehouse', 1, true)],
      new Map(),
    );
    expect(r).toMatchObject({ ok: false, code: 'no-location' });
  });

  it('uses the customer point when the chosen store is unknown to inventory', () => {
    const r = chooseRoute(
      { method: 'pickup', lines, storeId: 'GONE', allowAlternative: false, origin: east(20) },
      [loc('S1', 'store', 1, true), loc('S2', 'store', 19, true)],
      new Map(),
    );
    expect(r.ok === false && r.suggestion?.locationId).toBe('S2');
  });
});

/** A serving store of zone Z1 `trip` minutes away. */
const serves = (storeId: string, tripMinutes: number): ServingStore => ({
  storeId,
  zoneId: 'Z1',
  distanceKm: tripMinutes / 2,
  tripMinutes,
  slotMinutes: 60,
  slotCapacity: 20,
});

describe('routing: local delivery (dispatch zones decide)', () => {
  it('takes the serving store with the shortest trip that has every line; others say why not', () => {
    const options = [
      loc('S_partial', 'store', 0.5, false),
      loc('S2', 'store', 3, true),
      loc('S1', 'store', 1.5, true),
      loc('S_out', 'store', 1, true),
      loc('W1', 'warehouse', 2, true),
    ];
    const serving = [serves('S_partial', 2), serves('S2', 8), serves('S1', 5)];
    const r = chooseRoute({ method: 'delivery', lines, destination: HOME, serving }, options, new Map());
    expect(r).toMatchObject({ ok: true, locationId: 'S1', locationType: 'store', zoneId: 'Z1' });
    if (!r.ok) return;
    expect(r.reason).toContain('fastest store of zone Z1');
    const why = Object.fromEntries(r.candidates.map((c) => [c.locationId, c.skipped]));
    expect(why).toMatchObject({
      S_partial: 'does not have every line',
      // nearer than S1, in stock, but no zone serves the address from it: the radius is gone
      S_out: 'no delivery zone serves the address from it within the trip limit',
      W1: 'no delivery zone serves the address from it within the trip limit',
    });
  });

  it('refuses a point no zone serves, and a basket no serving store has whole (no split)', () => {
    const options = [loc('S1', 'store', 2, false), loc('W1', 'warehouse', 30, true)];
    const unserved = chooseRoute(
      { method: 'delivery', lines, destination: HOME, serving: [] },
      options,
      new Map(),
    );
    expect(unserved).toMatchObject({ ok: false, code: 'not-serviceable' });
    const split = chooseRoute(
      { method: 'delivery', lines, destination: HOME, serving: [serves('S1', 6)] },
      options,
      new Map(),
    );
    expect(split).toMatchObject({ ok: false, code: 'split-not-supported' });
    const none = chooseRoute(
      { method: 'delivery', lines, destination: HOME, serving: [serves('S1', 6)] },
      [],
      new Map(),
    );
    expect(none).toMatchObject({ ok: false, code: 'no-location' });
  });

  it('skips excluded stores (paused, tried) and lists them with the reason', () => {
    const excluded = new Map([
      ['S1', 'paused for pickup'],
      ['S9', 'tried before for this order'],
    ]);
    const r = chooseRoute(
      { method: 'delivery', lines, destination: HOME, serving: [serves('S1', 3), serves('S2', 9)] },
      [loc('S1', 'store', 1, true), loc('S2', 'store', 4, true)],
      excluded,
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

describe('serviceability: zone area and the single-trip limit', () => {
  // a 10 km square around HOME; scooter 25 km/h, detour 1.3 → 30 min ≈ 9.6 km straight
  const square = (km: number): DeliveryZone['area'] => {
    const dLat = km / 111.32;
    const dLng = km / (111.32 * Math.cos((HOME.lat * Math.PI) / 180));
    return {
      type: 'Polygon',
      coordinates: [
        [
          [HOME.lng - dLng, HOME.lat - dLat],
          [HOME.lng + dLng, HOME.lat - dLat],
          [HOME.lng + dLng, HOME.lat + dLat],
          [HOME.lng - dLng, HOME.lat + dLat],
          [HOME.lng - dLng, HOME.lat - dLat],
        ],
      ],
    };
  };
  const zone: DeliveryZone = {
    zoneId: 'Z1',
    area: square(10),
    stores: [
      { storeId: 'NEAR', geo: east(1) },
      { storeId: 'FAR', geo: east(-12) },
    ],
    maxTripMinutes: 30,
    travel: { speedKmh: 25, detourFactor: 1.3 },
    slotMinutes: 60,
    slotCapacity: 20,
  };

  it('serves a point inside the area from stores within the trip limit, fastest first', () => {
    const s = servingStores([zone], east(3));
    expect(s.map((x) => x.storeId)).toEqual(['NEAR']); // FAR is 15 km away: 46.8 min > 30
    expect(s[0]!.tripMinutes).toBeCloseTo(((2 * 1.3) / 25) * 60, 1);
    expect(s[0]).toMatchObject({ zoneId: 'Z1', slotCapacity: 20, slotMinutes: 60 });
  });

  it('serves nothing outside every zone area, even next to a store', () => {
    expect(servingStores([zone], east(10.5))).toEqual([]);
    expect(servingStores([{ ...zone, area: square(0.5) }], east(1))).toEqual([]);
  });
});

describe('routing: ship', () => {
  it('prefers a warehouse over a nearer store, then a store that ships', () => {
    const r = chooseRoute(
      { method: 'ship', lines },
      [loc('S1', 'store', 1, true), loc('W2', 'warehouse', 300, true), loc('W1', 'warehouse', 100, true)],
      new Map(),
    );
    expect(r).toMatchObject({ ok: true, locationId: 'W1', locationType: 'warehouse' });
    const store = chooseRoute(
      { method: 'ship', lines },
      [loc('S1', 'store', 1, true), loc('W1', 'warehouse', 100, false)],
      new Map(),
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
