import { findLocations, type Upstreams } from '../clients/upstreams';
import { chooseRoute, type RoutingOutcome } from '../domain/routing';
import type { FulfilmentMethod, GeoPoint, Line, OrderDoc } from '../domain/types';
import type { OrdersPolicy } from '../settings';

export interface RoutingEnv {
  upstreams: Upstreams;
  policy: OrdersPolicy;
  pausedStores(): Promise<Map<string, string>>;
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
 * warehouses shipping parcels are not affected by a store's pause.
 */
export async function routeOrder(
  env: RoutingEnv,
  q: RouteQuery,
  deadlineMs: number,
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
  const { policy } = env;
  const options = await findLocations(
    env.upstreams.inventory,
    q.method === 'delivery'
      ? {
          method: 'delivery',
          lines: q.lines,
          near: q.geo,
          radiusKm: Math.max(policy.deliveryRadiusKm, policy.warehouseDeliveryRadiusKm),
          exclude,
          limit: 50,
        }
      : { method: q.method, lines: q.lines, near: q.geo, exclude, limit: 50 },
    deadlineMs,
  );
  const policyOpts = {
    deliveryRadiusKm: policy.deliveryRadiusKm,
    warehouseDeliveryRadiusKm: policy.warehouseDeliveryRadiusKm,
  };
  switch (q.method) {
    case 'pickup':
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
        policyOpts,
      );
    case 'delivery':
      return chooseRoute(
        { method: 'delivery', lines: q.lines, destination: q.geo! },
        options,
        excluded,
        policyOpts,
      );
    case 'ship':
      return chooseRoute({ method: 'ship', lines: q.lines }, options, excluded, policyOpts);
  }
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
