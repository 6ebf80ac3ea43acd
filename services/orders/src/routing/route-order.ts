import { findLocations, type Upstreams } from '../clients/upstreams';
import { chooseRoute, type RoutingOutcome } from '../domain/routing';
import type { FulfilmentMethod, GeoPoint, Line, OrderDoc } from '../domain/types';
import type { OrdersPolicy } from '../settings';
import { servingStores, type DeliveryZone, type ServingStore } from '../domain/zones';

export interface RoutingEnv {
  upstreams: Upstreams;
  policy: OrdersPolicy;
  pausedStores(): Promise<Map<string, string>>;
  /** Dispatch's delivery zones that serve today (projected from its events). */
  deliveryZones(): Promise<DeliveryZone[]>;
}

export interface RouteQuery {
  method: FulfilmentMethod;
  lines: Line[];
  /** Pickup: the store asked for (or the one being left, on re-route). */
  storeId?: string;
  allowAlternative?: boolean;
  /** Delivery: destination; pickup: customer's point (suggestion origin); ship: address point. */
  geo?: GeoPoint;
  /** Locations that may not be used, with why (tried, short-picked, rejected). */
  exclude: Map<string, string>;
}

/**
 * Asks inventory for the locations that can serve the basket and applies the routing policy. Stores
 * paused for pickup are skipped for pickup and local delivery (both need the store's pickers);
 * warehouses shipping parcels are not affected by a store's pause. Local delivery goes only from
 * stores dispatch's zones serve the address from (`serving`, computed once by the caller when given).
 */
export async function routeOrder(
  env: RoutingEnv,
  q: RouteQuery,
  deadlineMs: number,
  serving?: ServingStore[],
): Promise<RoutingOutcome> {
  // Voucher orders hold no goods anywhere: placement never routes them, nor does a re-route.
  if (q.method === 'voucher')
    return { ok: false, code: 'no-location', reason: 'voucher orders are not routed', candidates: [] };
  const excluded = new Map(q.exclude);
  if (q.method !== 'ship') {
    for (const [storeId, why] of await env.pausedStores())
      if (!excluded.has(storeId)) excluded.set(storeId, why);
  }
  // The chosen pickup store is queried even when excluded, so routing knows where it is.
  const exclude = [...excluded.keys()].filter((id) => id !== q.storeId);
  if (q.method === 'delivery') {
    const stores = serving ?? (q.geo ? servingStores(await env.deliveryZones(), q.geo) : []);
    const options =
      stores.length === 0
        ? []
        : await findLocations(
            env.upstreams.inventory,
            {
              method: 'delivery',
              lines: q.lines,
              near: q.geo,
              // every serving store is within this distance; inventory need not look further
              radiusKm: Math.max(...stores.map((s) => s.distanceKm)) + 0.1,
              exclude,
              limit: 50,
            },
            deadlineMs,
          );
    return chooseRoute(
      { method: 'delivery', lines: q.lines, destination: q.geo!, serving: stores },
      options,
      excluded,
    );
  }
  const options = await findLocations(
    env.upstreams.inventory,
    { method: q.method, lines: q.lines, near: q.geo, exclude, limit: 50 },
    deadlineMs,
  );
  if (q.method === 'pickup')
    return chooseRoute(
      {
        method: 'pickup',
        lines: q.lines,
        storeId: q.storeId ?? '',
        allowAlternative: q.allowAlternative ?? false,
        origin: q.geo,
      },
      options,
      excluded,
    );
  return chooseRoute({ method: 'ship', lines: q.lines }, options, excluded);
}

/**
 * The next location for an order that must leave its current one (stock ran out while reserving, short
 * pick, store rejection, stock at risk). Every location tried so far is excluded. A pickup order only
 * switches store automatically when the customer allowed it at checkout, or after confirmation (the
 * customer is told through OrderRerouted).
 */
export function routeAway(
  env: RoutingEnv,
  o: OrderDoc,
  why: string,
  deadlineMs: number,
  opts: { afterConfirmation: boolean },
): Promise<RoutingOutcome> {
  const exclude = new Map<string, string>();
  for (const id of o.triedLocationIds) exclude.set(id, 'tried before for this order');
  exclude.set(o.fulfilment.locationId, why);
  if (o.pendingRoute) exclude.set(o.pendingRoute.route.locationId, 'tried before for this order');
  return routeOrder(
    env,
    {
      method: o.fulfilment.method,
      lines: o.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      storeId: o.fulfilment.method === 'pickup' ? o.fulfilment.locationId : undefined,
      allowAlternative: opts.afterConfirmation || (o.fulfilment.allowAlternativeStore ?? false),
      geo: o.fulfilment.geo ?? o.fulfilment.address?.geo,
      exclude,
    },
    deadlineMs,
  );
}
