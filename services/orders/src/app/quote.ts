import { UnprocessableError } from '@omni/kit';
import { findLocations } from '../clients/upstreams';
import { money } from '../domain/money';
import {
  asapSlotFrom,
  asapWindow,
  pickupWindow,
  shipWindow,
  upcomingSlots,
  type OrderPromise,
} from '../domain/promise';
import type { RouteChoice, RoutingOutcome } from '../domain/routing';
import type { Channel, FulfilmentMethod, GeoPoint, Line, Money } from '../domain/types';
import { servingStores, type ServingStore } from '../domain/zones';
import { routeOrder } from '../routing/route-order';
import { slotIdOf, type SlotRef } from '../store/slot-book';
import type { OrdersContext } from './context';

/**
 * The quote: what checkout may promise for a basket and an address — computed by the code placement
 * runs, so an order is refused exactly when the quote would not have offered it. No side effects.
 *
 * - pickup: stores with every line in stock (not paused), nearest first, ready by now + pickup time;
 * - delivery: the store dispatch's zones serve the point from with the shortest trip that has every
 *   line; an ASAP window (now + prep + trip + margin) while its slot has room, and the next free
 *   slots, each bounded by the zone's capacity per store per slot; the fee;
 * - ship: the location routing would ship from, dispatched by the end of the next day.
 */

export interface QuoteInput {
  lines: Line[];
  channel: Channel;
  /** Where the customer is (delivery destination; origin for nearest pickup stores). */
  geo?: GeoPoint;
}

export interface SlotOption extends OrderPromise {
  /** Deliveries the slot can still take. */
  remaining: number;
}

export interface DeliveryOption {
  storeId: string;
  storeName?: string;
  zoneId: string;
  tripMinutes: number;
  fee: Money;
  asap?: OrderPromise;
  slots: SlotOption[];
}

export interface PickupOption {
  storeId: string;
  storeName?: string;
  distanceKm?: number;
  readyBy: string;
  promise: OrderPromise;
}

export interface ShipOption {
  locationId: string;
  locationName?: string;
  promise: OrderPromise;
}

/** Why a method is not offered. */
export interface Unavailable {
  method: FulfilmentMethod;
  code: string;
  reason: string;
}

export interface Quote {
  quotedAt: string;
  pickup: PickupOption[];
  delivery: DeliveryOption[];
  ship: ShipOption[];
  unavailable: Unavailable[];
}

/** Pickup stores offered at most. */
const MAX_PICKUP_OPTIONS = 5;

/**
 * Everything the basket can get at this point, now. `currency` prices the delivery fee (a promise:
 * the caller may still be pricing the basket at catalog while the options are looked up).
 */
export async function quote(
  ctx: OrdersContext,
  q: QuoteInput,
  currency: string | Promise<string>,
): Promise<Quote> {
  const nowMs = ctx.env.clock().getTime();
  const deadline = ctx.env.timings.lookupTimeoutMs;
  const unavailable: Unavailable[] = [];
  const [pickup, delivery, ship] = await Promise.all([
    pickupOptions(ctx, q, nowMs, deadline),
    q.geo
      ? deliveryOptions(ctx, q.lines, q.geo, nowMs, currency)
      : Promise.resolve<DeliveryPlan | Unavailable>({
          method: 'delivery',
          code: 'address-required',
          reason: 'local delivery needs the geocoded point of the address',
        }),
    routeOrder(ctx.env, { method: 'ship', lines: q.lines, geo: q.geo, exclude: new Map() }, deadline),
  ]);
  if (pickup.length === 0)
    unavailable.push({ method: 'pickup', code: 'no-location', reason: 'no pickup store has every line' });
  if ('code' in delivery) unavailable.push(delivery);
  if (!ship.ok) unavailable.push({ method: 'ship', code: ship.code, reason: ship.reason });
  return {
    quotedAt: new Date(nowMs).toISOString(),
    pickup,
    delivery: 'code' in delivery ? [] : [delivery.option],
    ship: ship.ok
      ? [
          {
            locationId: ship.locationId,
            ...(ship.locationName ? { locationName: ship.locationName } : {}),
            promise: shipWindow(nowMs, ctx.env.policy.shipDays),
          },
        ]
      : [],
    unavailable,
  };
}

async function pickupOptions(
  ctx: OrdersContext,
  q: QuoteInput,
  nowMs: number,
  deadlineMs: number,
): Promise<PickupOption[]> {
  const paused = await ctx.env.pausedStores();
  const locations = await findLocations(
    ctx.env.upstreams.inventory,
    { method: 'pickup', lines: q.lines, near: q.geo, exclude: [...paused.keys()], limit: 50 },
    deadlineMs,
  );
  const window = pickupWindow(nowMs, ctx.env.policy.pickupReadyMinutes);
  return locations
    .filter((l) => l.type === 'store' && l.coversAll)
    .slice(0, MAX_PICKUP_OPTIONS)
    .map((l) => ({
      storeId: l.locationId,
      ...(l.name ? { storeName: l.name } : {}),
      ...(l.distanceKm !== undefined ? { distanceKm: Math.round(l.distanceKm * 100) / 100 } : {}),
      readyBy: window.to,
      promise: window,
    }));
}

/** A delivery the system can keep: the option shown, and the slots behind its windows (for booking). */
export interface DeliveryPlan {
  option: DeliveryOption;
  route: RouteChoice;
  serving: ServingStore;
  /** The slot an ASAP delivery books (when ASAP is offered). */
  asapSlot?: SlotRef;
  /** The slots offered, by start. */
  slots: Map<string, SlotRef>;
  /** Every slot start within the horizon (offered or full). */
  upcoming: Set<string>;
}

/**
 * Delivery to `geo`: routed among the zone stores serving it, with windows from the store's free slot
 * capacity. An Unavailable when dispatch's zones do not serve the point, no serving store has the
 * basket, or every slot within the horizon is full.
 */
export async function deliveryOptions(
  ctx: OrdersContext,
  lines: Line[],
  geo: GeoPoint,
  nowMs: number,
  currency: string | Promise<string>,
  exclude: Map<string, string> = new Map(),
): Promise<DeliveryPlan | Unavailable> {
  const { policy, timings } = ctx.env;
  const serving = servingStores(await ctx.env.deliveryZones(), geo);
  const route: RoutingOutcome = await routeOrder(
    ctx.env,
    { method: 'delivery', lines, geo, exclude },
    timings.lookupTimeoutMs,
    serving,
  );
  if (!route.ok) return { method: 'delivery', code: route.code, reason: route.reason };
  const store = serving.find((s) => s.storeId === route.locationId)!;
  const times = { prepMinutes: policy.deliveryPrepMinutes, asapMarginMinutes: policy.asapMarginMinutes };
  const asap = asapWindow(nowMs, store.tripMinutes, times);
  const ref = (w: OrderPromise): SlotRef => ({
    zoneId: store.zoneId,
    storeId: store.storeId,
    from: w.kind === 'asap' ? asapSlotFrom(w, store.slotMinutes) : w.from,
    to:
      w.kind === 'asap'
        ? new Date(Date.parse(asapSlotFrom(w, store.slotMinutes)) + store.slotMinutes * 60_000).toISOString()
        : w.to,
    capacity: store.slotCapacity,
  });
  const asapSlot = ref(asap);
  const upcoming = upcomingSlots(nowMs, store.tripMinutes, store.slotMinutes, policy.slotHorizonHours, times);
  const refs = upcoming.map(ref);
  const booked = await ctx.env.slots.booked([slotIdOf(asapSlot), ...refs.map(slotIdOf)]);
  const left = (r: SlotRef): number => r.capacity - (booked.get(slotIdOf(r)) ?? 0);
  const free = upcoming
    .map((w, i) => ({ w, r: refs[i]! }))
    .filter(({ r }) => left(r) > 0)
    .slice(0, policy.slotsOffered);
  const asapOffered = left(asapSlot) > 0;
  if (!asapOffered && free.length === 0)
    return {
      method: 'delivery',
      code: 'slot-full',
      reason: `store ${store.storeId} has no free delivery slot in the next ${policy.slotHorizonHours} h`,
    };
  return {
    option: {
      storeId: store.storeId,
      ...(route.locationName ? { storeName: route.locationName } : {}),
      zoneId: store.zoneId,
      tripMinutes: Math.ceil(store.tripMinutes),
      fee: money(policy.deliveryFeeMinor, await currency),
      ...(asapOffered ? { asap } : {}),
      slots: free.map(({ w, r }) => ({ ...w, remaining: left(r) })),
    },
    route,
    serving: store,
    ...(asapOffered ? { asapSlot } : {}),
    slots: new Map(free.map(({ w, r }) => [w.from, r])),
    upcoming: new Set(upcoming.map((w) => w.from)),
  };
}

/** What the customer asked for at placement: ASAP (default) or the slot starting at `from`. */
export type RequestedPromise = { kind: 'asap' } | { kind: 'slot'; from: string };

/**
 * The promise a delivery order gets, or a 422 the quote would explain: the slot is full, or not one
 * the quote offers (in the past, not a slot start, beyond the horizon).
 */
export function chooseDeliveryPromise(
  plan: DeliveryPlan,
  requested: RequestedPromise,
): { promise: OrderPromise; slot: SlotRef } | { code: string; reason: string } {
  if (requested.kind === 'asap') {
    if (plan.option.asap && plan.asapSlot) return { promise: plan.option.asap, slot: plan.asapSlot };
    return { code: 'slot-full', reason: `ASAP delivery from ${plan.option.storeId} is full now` };
  }
  const from = new Date(Date.parse(requested.from)).toISOString();
  const slot = plan.slots.get(from);
  const offered = plan.option.slots.find((s) => s.from === from);
  if (slot && offered) return { promise: { kind: 'slot', from: offered.from, to: offered.to }, slot };
  return plan.upcoming.has(from)
    ? { code: 'slot-full', reason: `the slot from ${from} at ${plan.option.storeId} is full` }
    : {
        code: 'slot-unavailable',
        reason: `no delivery slot from ${plan.option.storeId} starts at ${requested.from} (slots of the next hours start on the slot length; see the quote)`,
      };
}

/** A refusal at placement: 422 with the reason and what the quote offers instead. */
export async function refusedWithAlternatives(
  ctx: OrdersContext,
  code: string,
  reason: string,
  q: QuoteInput,
  currency: string,
  extra: Record<string, unknown> = {},
): Promise<UnprocessableError> {
  ctx.metrics.refused.inc({ code });
  const alternatives = await quote(ctx, q, currency).catch(() => undefined);
  return new UnprocessableError(code, reason, {
    reason,
    ...extra,
    ...(alternatives ? { alternatives } : {}),
  });
}

/** What placement needs from the quote model: the route, the promise, the slot to book (delivery). */
export interface Promised {
  route: RouteChoice;
  promise: OrderPromise;
  slot?: SlotRef;
}

/**
 * Placement's side of the quote: routes the order and picks its promise with the code the quote runs;
 * anything the quote would not offer is a 422 with the reason and the alternatives.
 */
export async function routeAndPromise(
  ctx: OrdersContext,
  q: QuoteInput & {
    method: FulfilmentMethod;
    storeId?: string;
    allowAlternative: boolean;
    requested?: RequestedPromise;
  },
  currency: string,
): Promise<Promised> {
  const nowMs = ctx.env.clock().getTime();
  const { policy, timings } = ctx.env;
  if (q.method === 'delivery') {
    const plan = await deliveryOptions(ctx, q.lines, q.geo!, nowMs, currency);
    if ('code' in plan) throw await refusedWithAlternatives(ctx, plan.code, plan.reason, q, currency);
    const chosen = chooseDeliveryPromise(plan, q.requested ?? { kind: 'asap' });
    if ('code' in chosen) throw await refusedWithAlternatives(ctx, chosen.code, chosen.reason, q, currency);
    return { route: plan.route, ...chosen };
  }
  const route = await routeOrder(
    ctx.env,
    {
      method: q.method,
      lines: q.lines,
      storeId: q.storeId,
      allowAlternative: q.allowAlternative,
      geo: q.geo,
      exclude: new Map(),
    },
    timings.lookupTimeoutMs,
  );
  if (!route.ok)
    throw await refusedWithAlternatives(ctx, route.code, route.reason, q, currency, {
      ...(route.suggestion ? { suggestion: route.suggestion } : {}),
      candidates: route.candidates,
    });
  const promise =
    q.method === 'pickup'
      ? pickupWindow(nowMs, policy.pickupReadyMinutes)
      : shipWindow(nowMs, policy.shipDays);
  return { route, promise };
}
