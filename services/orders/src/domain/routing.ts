import { distanceKm } from './geo';
import type { GeoPoint, Line, LocationType, RouteCandidate } from './types';
import type { ServingStore } from './zones';

/**
 * Order routing: which location fulfils the order, and why. Pure — the inputs come from inventory's
 * FindFulfillmentLocations (locations with their availability for the basket) and from the orders
 * service's own knowledge (stores paused for pickup, locations already tried for this order).
 *
 * Policy:
 * - pickup   → the store the customer chose if it has every line and is not paused; otherwise the
 *              nearest other pickup store with everything (distance from the chosen store, else from
 *              the customer's point). With `allowAlternative` the order switches to it; without, the
 *              caller answers 422 with it as a suggestion.
 * - delivery → among the stores dispatch's zones serve the point from (within the zone's single-trip
 *              limit, given as `serving`), the one with the shortest trip that has every line. No
 *              zone store → not serviceable; a basket no single serving store has would need a split,
 *              which is not supported (the caller answers 422 saying so). Warehouses do not deliver
 *              locally: they ship.
 * - ship     → a warehouse with every line first (nearest when distances are known, else in
 *              inventory's order), then a store that ships.
 */

export interface LocationOption {
  locationId: string;
  name?: string;
  type: LocationType;
  /** Distance from the query's origin, when one was given. */
  distanceKm?: number;
  /** Every line is available here in full. */
  coversAll: boolean;
  /** Available units per requested line. */
  available: Line[];
  geo?: GeoPoint;
}

export type RoutingRequest =
  | { method: 'pickup'; lines: Line[]; storeId: string; allowAlternative: boolean; origin?: GeoPoint }
  | { method: 'delivery'; lines: Line[]; destination: GeoPoint; serving: ServingStore[] }
  | { method: 'ship'; lines: Line[] };

export interface RouteChoice {
  ok: true;
  locationId: string;
  locationType: LocationType;
  locationName?: string;
  distanceKm?: number;
  reason: string;
  candidates: RouteCandidate[];
  /** Delivery: the zone the store delivers in. */
  zoneId?: string;
}

export interface RouteRefusal {
  ok: false;
  code: 'pickup-store-cannot-serve' | 'no-location' | 'split-not-supported' | 'not-serviceable';
  reason: string;
  candidates: RouteCandidate[];
  /** Pickup: the nearest store that has everything. */
  suggestion?: { locationId: string; name?: string; distanceKm?: number };
}

export type RoutingOutcome = RouteChoice | RouteRefusal;

/** Candidates stored on the order are capped: the decision must stay small. */
export const MAX_CANDIDATES = 20;

/**
 * @param excluded location id → why it may not be used (paused for pickup, tried before, rejected).
 */
export function chooseRoute(
  req: RoutingRequest,
  options: LocationOption[],
  excluded: ReadonlyMap<string, string>,
): RoutingOutcome {
  switch (req.method) {
    case 'pickup':
      return routePickup(req, options, excluded);
    case 'delivery':
      return routeDelivery(req, options, excluded);
    case 'ship':
      return routeShip(options, excluded);
  }
}

function routePickup(
  req: Extract<RoutingRequest, { method: 'pickup' }>,
  options: LocationOption[],
  excluded: ReadonlyMap<string, string>,
): RoutingOutcome {
  const chosen = options.find((o) => o.locationId === req.storeId);
  const origin = chosen?.geo ?? req.origin;
  const withDistance = options.map((o) => ({ ...o, distanceKm: distanceFrom(origin, o) }));
  const problem = excluded.get(req.storeId)
    ? excluded.get(req.storeId)!
    : !chosen
      ? 'it is not a pickup location with stock for this basket'
      : chosen.type !== 'store'
        ? 'it is not a store'
        : !chosen.coversAll
          ? `it lacks ${missingLines(req.lines, chosen.available)}`
          : null;

  const candidates = describe(withDistance, excluded, (o) =>
    o.type !== 'store' ? 'not a store' : !o.coversAll ? 'does not have every line' : undefined,
  );
  if (problem === null && chosen) {
    return {
      ok: true,
      locationId: chosen.locationId,
      locationType: 'store',
      locationName: chosen.name,
      reason: `pickup at the chosen store ${chosen.locationId}: it has every line`,
      candidates,
    };
  }
  const alternatives = byDistance(
    withDistance.filter(
      (o) => o.locationId !== req.storeId && o.type === 'store' && o.coversAll && !excluded.has(o.locationId),
    ),
  );
  const best = alternatives[0];
  if (!best) {
    return {
      ok: false,
      code: 'no-location',
      reason: `store ${req.storeId} cannot serve the order (${problem}) and no other pickup store has every line`,
      candidates,
    };
  }
  const where = `${best.locationId}${best.distanceKm !== undefined ? ` (${round(best.distanceKm)} km)` : ''}`;
  if (req.allowAlternative) {
    return {
      ok: true,
      locationId: best.locationId,
      locationType: 'store',
      locationName: best.name,
      distanceKm: best.distanceKm,
      reason: `chosen store ${req.storeId} cannot serve the order (${problem}); switched to the nearest pickup store with every line, ${where}`,
      candidates,
    };
  }
  return {
    ok: false,
    code: 'pickup-store-cannot-serve',
    reason: `store ${req.storeId} cannot serve the order (${problem}); the nearest pickup store with every line is ${where}`,
    candidates,
    suggestion: { locationId: best.locationId, name: best.name, distanceKm: best.distanceKm },
  };
}

function routeDelivery(
  req: Extract<RoutingRequest, { method: 'delivery' }>,
  options: LocationOption[],
  excluded: ReadonlyMap<string, string>,
): RoutingOutcome {
  const serving = new Map(req.serving.map((s) => [s.storeId, s]));
  const withDistance = options.map((o) => ({ ...o, distanceKm: distanceFrom(req.destination, o) }));
  const candidates = describe(withDistance, excluded, (o) =>
    !serving.has(o.locationId)
      ? 'no delivery zone serves the address from it within the trip limit'
      : !o.coversAll
        ? 'does not have every line'
        : undefined,
  );
  if (serving.size === 0) {
    return {
      ok: false,
      code: 'not-serviceable',
      reason: 'no delivery zone serves this address within its single-trip limit',
      candidates,
    };
  }
  const trip = (o: LocationOption): number => serving.get(o.locationId)?.tripMinutes ?? Infinity;
  const eligible = withDistance
    .filter((o) => serving.has(o.locationId) && !excluded.has(o.locationId) && o.coversAll)
    .sort((a, b) => trip(a) - trip(b));
  const store = eligible[0];
  if (store) {
    const s = serving.get(store.locationId)!;
    return {
      ...choice(
        store,
        `fastest store of zone ${s.zoneId} that has every line: ${Math.ceil(s.tripMinutes)} min trip`,
        candidates,
      ),
      zoneId: s.zoneId,
    };
  }
  return refuseWithoutSplit(
    req.lines,
    withDistance.filter((o) => serving.has(o.locationId) && !excluded.has(o.locationId)),
    candidates,
    'serving this address',
  );
}

function routeShip(options: LocationOption[], excluded: ReadonlyMap<string, string>): RoutingOutcome {
  const candidates = describe(options, excluded, (o) =>
    !o.coversAll ? 'does not have every line' : undefined,
  );
  const eligible = options.filter((o) => !excluded.has(o.locationId) && o.coversAll);
  const warehouse = byDistance(eligible.filter((o) => o.type === 'warehouse'))[0];
  if (warehouse) return choice(warehouse, 'warehouse with every line (warehouses ship first)', candidates);
  const store = byDistance(eligible.filter((o) => o.type === 'store'))[0];
  if (store) return choice(store, 'no warehouse has every line; a store that ships has', candidates);
  return refuseWithoutSplit(
    [],
    options.filter((o) => !excluded.has(o.locationId)),
    candidates,
    'that ships',
  );
}

function choice(o: LocationOption, why: string, candidates: RouteCandidate[]): RouteChoice {
  const where = `${o.locationId}${o.distanceKm !== undefined ? `, ${round(o.distanceKm)} km` : ''}`;
  return {
    ok: true,
    locationId: o.locationId,
    locationType: o.type,
    locationName: o.name,
    distanceKm: o.distanceKm,
    reason: `${why} (${where})`,
    candidates,
  };
}

/** Split fulfilment is not supported: say whether a split would have helped. */
function refuseWithoutSplit(
  _lines: Line[],
  usable: LocationOption[],
  candidates: RouteCandidate[],
  scope: string,
): RouteRefusal {
  const partial = usable.some((o) => o.available.some((l) => l.qty > 0));
  return partial
    ? {
        ok: false,
        code: 'split-not-supported',
        reason: `no single location ${scope} has every line; splitting an order across locations is not supported`,
        candidates,
      }
    : { ok: false, code: 'no-location', reason: `no location ${scope} has these lines`, candidates };
}

function distanceFrom(origin: GeoPoint | undefined, o: LocationOption): number | undefined {
  if (origin && o.geo) return distanceKm(origin, o.geo);
  return o.distanceKm;
}

/** Nearest first; unknown distances keep inventory's order after the known ones. */
function byDistance<T extends LocationOption>(list: T[]): T[] {
  return list
    .map((o, i) => ({ o, i }))
    .sort((a, b) => {
      const da = a.o.distanceKm ?? Number.POSITIVE_INFINITY;
      const db = b.o.distanceKm ?? Number.POSITIVE_INFINITY;
      return da !== db ? da - db : a.i - b.i;
    })
    .map((x) => x.o);
}

function describe(
  options: LocationOption[],
  excluded: ReadonlyMap<string, string>,
  whyNot: (o: LocationOption) => string | undefined,
): RouteCandidate[] {
  const seen = new Set<string>();
  const out: RouteCandidate[] = [];
  for (const o of byDistance(options)) {
    seen.add(o.locationId);
    const skipped = excluded.get(o.locationId) ?? whyNot(o);
    out.push({
      locationId: o.locationId,
      ...(o.name ? { name: o.name } : {}),
      type: o.type,
      ...(o.distanceKm !== undefined ? { distanceKm: round(o.distanceKm) } : {}),
      coversAll: o.coversAll,
      ...(skipped ? { skipped } : {}),
    });
  }
  // Excluded locations inventory did not return still explain the decision ("S1: paused").
  for (const [locationId, why] of excluded) {
    if (!seen.has(locationId)) out.push({ locationId, coversAll: false, skipped: why });
  }
  return out.slice(0, MAX_CANDIDATES);
}

function missingLines(lines: Line[], available: Line[]): string {
  const missing = lines
    .map((l, i) => ({ l, have: available.find((a) => a.sku === l.sku)?.qty ?? available[i]?.qty ?? 0 }))
    .filter(({ l, have }) => have < l.qty)
    .map(({ l, have }) => `${l.sku} (${Math.max(0, have)} of ${l.qty})`);
  return missing.length > 0 ? missing.join(', ') : 'some lines';
}

function round(km: number): number {
  return Math.round(km * 100) / 100;
}
