import type { OrderDoc } from '../../domain/types';
import { servingStores } from '../../domain/zones';
import type { Reducer, Step, StepContext } from '../types';

/**
 * The delivery slot the order's promise holds. It is booked in the transaction that creates the
 * order (app/place-order.ts via SlotBook.book: one conditional update, so a full slot refuses the order
 * with nothing written); these steps give it back when the order does not go ahead.
 */

const holdsSlot = (o: OrderDoc): boolean => !!o.slot && !o.slot.released;

async function release(ctx: StepContext, o: OrderDoc): Promise<Reducer> {
  await ctx.slots.release(o.slot!.id, o._id);
  return (x) => (x.slot ? { ...x, slot: { ...x.slot, released: true } } : x);
}

/** Placement: first step, so a failed placement (stock, payment) compensates it: the slot is freed. */
export const holdSlot: Step = {
  name: 'hold_slot',
  when: holdsSlot,
  compensate: release,
};

/** Cancellation: the slot goes back on offer. */
export const releaseSlot: Step = {
  name: 'release_slot',
  when: holdsSlot,
  run: release,
};

/**
 * The order moved to another store (stock ran out while reserving, or a re-route): its booking
 * follows it to that store's same slot, in the zone that serves the address from it.
 */
async function follow(ctx: StepContext, o: OrderDoc, storeId: string): Promise<Reducer | void> {
  const slot = o.slot!;
  const [zoneId, bookedAt, from] = slot.id.split('|');
  if (!zoneId || !from || bookedAt === storeId) return;
  const geo = o.fulfilment.geo ?? o.fulfilment.address?.geo;
  const serving = geo ? servingStores(await ctx.deliveryZones(), geo) : [];
  const s = serving.find((x) => x.storeId === storeId);
  const to = new Date(Date.parse(from) + (s?.slotMinutes ?? 60) * 60_000).toISOString();
  const id = await ctx.slots.move(slot.id, { zoneId: s?.zoneId ?? zoneId, storeId, from, to }, o._id);
  return (x) => (x.slot ? { ...x, slot: { ...x.slot, id } } : x);
}

/** Placement: after reserving, the booking is at the store the order ended up at. */
export const followSlotOnPlacement: Step = {
  name: 'follow_slot',
  when: holdsSlot,
  run: (ctx, o) => follow(ctx, o, o.fulfilment.locationId),
};

/** Re-route: the booking moves to the new store (the promise stays). */
export const followSlotOnReroute: Step = {
  name: 'follow_slot',
  when: (o) => holdsSlot(o) && !!o.pendingRoute,
  run: (ctx, o) => follow(ctx, o, o.pendingRoute!.route.locationId),
};
