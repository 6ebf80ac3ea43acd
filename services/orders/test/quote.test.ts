import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderConfirmed, StoreRejected } from '@omni/contracts';
import type { SlotDoc } from '../src/store/collections';
import {
  ADDRESS,
  api,
  east,
  key,
  publish,
  publishZone,
  startHarness,
  waitForOrder,
  worldZone,
  type Harness,
} from './support/harness';

/**
 * The promise at checkout, through the public API: POST /v1/quotes offers what can be kept (dispatch's
 * zones and trip limit decide delivery; slots have capacity), and POST /v1/orders refuses — 422 with the
 * reason and the alternatives, nothing written — what the quote would not offer.
 */

type Window = { kind: string; from: string; to: string };
type QuoteBody = {
  currency: string;
  subtotal: { amountMinor: number; currency: string };
  pickup: Array<{ storeId: string; readyBy: string; promise: Window }>;
  delivery: Array<{
    storeId: string;
    zoneId: string;
    tripMinutes: number;
    fee: { amountMinor: number; currency: string };
    asap?: Window;
    slots: Array<Window & { remaining: number }>;
  }>;
  ship: Array<{ locationId: string; promise: Window }>;
  unavailable: Array<{ method: string; code: string; reason: string }>;
};
type Problem = { type: string; status: number; reason?: string; alternatives?: QuoteBody };
type OrderBody = {
  id: string;
  status: string;
  fulfilment: { method: string; locationId: string };
  promise?: Window;
};

const TEE = [{ sku: 'TEE', qty: 1 }];
const FAR = east(30); // outside the world's zone (10 km around the center)

async function slot(h: Harness, from: string, storeId = 'S1'): Promise<SlotDoc | null> {
  return h.store.collection<SlotDoc>('delivery_slots').findById(`Z-CENTER|${storeId}|${from}`);
}

describe('quotes and promises', () => {
  let h: Harness;
  let customer: string;

  beforeAll(async () => {
    h = await startHarness();
    customer = await h.issuer.customer('C1');
  });
  afterAll(async () => h?.stop());

  const quote = (body: Record<string, unknown>) => api(h, customer).post<QuoteBody>('/v1/quotes', body);
  const place = (fulfilment: Record<string, unknown>, payment: Record<string, unknown> = { method: 'cod' }) =>
    api(h, customer).post<OrderBody & Problem>(
      '/v1/orders',
      { lines: TEE, fulfilment, payment },
      { headers: key() },
    );

  it('offers pickup stores with stock, delivery from the zone store with ASAP and free slots, and ship', async () => {
    const slotsBefore = await h.store.collection('delivery_slots').countDocuments({});
    const res = await quote({ lines: [{ sku: 'TEE', qty: 2 }], address: ADDRESS });
    expect(res.status).toBe(200);
    const q = res.body;
    expect(q.subtotal).toEqual({ amountMinor: 2 * 1999, currency: 'EUR' });
    expect(q.pickup.map((p) => p.storeId)).toEqual(['S1', 'S2', 'S3']);
    expect(q.pickup[0]!.promise.kind).toBe('pickup');
    expect(Date.parse(q.pickup[0]!.readyBy) - Date.parse(q.pickup[0]!.promise.from)).toBe(30 * 60_000);
    expect(q.delivery).toHaveLength(1);
    const d = q.delivery[0]!;
    expect(d).toMatchObject({
      storeId: 'S1',
      zoneId: 'Z-CENTER',
      fee: { amountMinor: 499, currency: 'EUR' },
    });
    expect(d.asap?.kind).toBe('asap');
    // ASAP: prep 15 + trip 0 + margin 15 minutes
    expect(Date.parse(d.asap!.to) - Date.parse(d.asap!.from)).toBeLessThanOrEqual(31 * 60_000);
    expect(d.slots).toHaveLength(4);
    for (const s of d.slots) {
      expect(s.kind).toBe('slot');
      expect(s.remaining).toBe(20);
      expect(Date.parse(s.to) - Date.parse(s.from)).toBe(60 * 60_000);
      expect(Date.parse(s.from) % (60 * 60_000)).toBe(0);
    }
    expect(q.ship).toMatchObject([{ locationId: 'W1', promise: { kind: 'ship' } }]);
    expect(q.unavailable).toEqual([]);
    // no side effects
    expect(await h.store.collection('delivery_slots').countDocuments({})).toBe(slotsBefore);
  });

  it('a point no zone serves gets no delivery option, and says why', async () => {
    const res = await quote({ lines: TEE, geo: FAR });
    expect(res.status).toBe(200);
    expect(res.body.delivery).toEqual([]);
    expect(res.body.unavailable).toEqual([
      expect.objectContaining({ method: 'delivery', code: 'not-serviceable' }),
    ]);
    expect(res.body.ship).toHaveLength(1);
    // the warehouse is 20 km east; S3 (8 km east) is nearest for pickup
    expect(res.body.pickup[0]!.storeId).toBe('S3');
  });

  it('a delivery to a point dispatch does not serve is refused at checkout: 422 with alternatives, nothing written', async () => {
    const orders = await h.store.collection('orders').countDocuments({});
    const w1 = h.inventory.available('W1', 'TEE');
    const res = await place(
      { method: 'delivery', address: { ...ADDRESS, geo: FAR } },
      {
        method: 'card',
        cardToken: 'tok_visa',
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://omni.dev/problems/not-serviceable');
    expect(res.body.reason).toContain('no delivery zone serves');
    expect(res.body.alternatives?.delivery).toEqual([]);
    expect(res.body.alternatives?.ship[0]?.locationId).toBe('W1');
    expect(res.body.alternatives?.pickup.length).toBeGreaterThan(0);
    expect(await h.store.collection('orders').countDocuments({})).toBe(orders);
    expect(h.inventory.available('W1', 'TEE')).toBe(w1);
  });

  it('a slot from the quote is booked with the order, shown on GET and in OrderConfirmed, and freed on cancel', async () => {
    const q = await quote({ lines: TEE, address: ADDRESS });
    const chosen = q.body.delivery[0]!.slots[1]!;
    const res = await place(
      { method: 'delivery', address: ADDRESS, promise: { kind: 'slot', from: chosen.from } },
      { method: 'card', cardToken: 'tok_visa' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.promise).toEqual({ kind: 'slot', from: chosen.from, to: chosen.to });
    const got = await api(h, customer).get<OrderBody>(`/v1/orders/${res.body.id}`);
    expect(got.body.promise).toEqual({ kind: 'slot', from: chosen.from, to: chosen.to });
    const [confirmed] = await h.events.waitFor(OrderConfirmed, res.body.id);
    expect(confirmed!.data.promise).toEqual({ kind: 'slot', from: chosen.from, to: chosen.to });
    expect(confirmed!.data.fulfilment.promisedAt).toBe(chosen.to);
    expect(await slot(h, chosen.from)).toMatchObject({ booked: 1, orderIds: [res.body.id] });
    const after = await quote({ lines: TEE, address: ADDRESS });
    expect(after.body.delivery[0]!.slots.find((s) => s.from === chosen.from)?.remaining).toBe(19);

    const cancel = await api(h, customer).post<OrderBody>(`/v1/orders/${res.body.id}/cancel`, {});
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    expect(await slot(h, chosen.from)).toMatchObject({ booked: 0, orderIds: [] });
    // a second cancel (or a redelivered one) frees nothing more
    await api(h, customer).post(`/v1/orders/${res.body.id}/cancel`, {});
    expect((await slot(h, chosen.from))!.booked).toBe(0);
  });

  it('a store rejecting the delivery moves the order and its slot booking to the next store', async () => {
    const q = await quote({ lines: TEE, address: ADDRESS });
    const chosen = q.body.delivery[0]!.slots[3]!;
    const res = await place(
      { method: 'delivery', address: ADDRESS, promise: { kind: 'slot', from: chosen.from } },
      { method: 'card', cardToken: 'tok_visa' },
    );
    expect(res.status).toBe(201);
    expect(res.body.fulfilment.locationId).toBe('S1');
    const id = res.body.id;
    await publish(h.bus, StoreRejected, id, {
      jobId: `job-${id}`,
      orderId: id,
      storeId: 'S1',
      reason: 'no pickers',
      timedOut: false,
    });
    const moved = await waitForOrder(h, id, (o) => o.routeAttempt === 1);
    expect(moved.fulfilment.locationId).toBe('S2');
    expect(moved.promise).toEqual({ kind: 'slot', from: chosen.from, to: chosen.to });
    expect(await slot(h, chosen.from, 'S1')).toMatchObject({ booked: 0, orderIds: [] });
    expect(await slot(h, chosen.from, 'S2')).toMatchObject({ booked: 1, orderIds: [id] });
  });

  it('a placement that fails after booking (payment declined) gives its slot back', async () => {
    const q = await quote({ lines: TEE, address: ADDRESS });
    const chosen = q.body.delivery[0]!.slots[2]!;
    const res = await place(
      { method: 'delivery', address: ADDRESS, promise: { kind: 'slot', from: chosen.from } },
      { method: 'card', cardToken: 'tok_decline' },
    );
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://omni.dev/problems/order-failed');
    expect(await slot(h, chosen.from)).toMatchObject({ booked: 0, orderIds: [] });
  });

  it('a slot the quote does not offer is 422 slot-unavailable with the alternatives', async () => {
    const q = await quote({ lines: TEE, address: ADDRESS });
    const odd = new Date(Date.parse(q.body.delivery[0]!.slots[0]!.from) + 17 * 60_000).toISOString();
    const past = '2020-01-01T10:00:00.000Z';
    for (const from of [odd, past]) {
      const res = await place({ method: 'delivery', address: ADDRESS, promise: { kind: 'slot', from } });
      expect(res.status).toBe(422);
      expect(res.body.type).toBe('https://omni.dev/problems/slot-unavailable');
      expect(res.body.alternatives?.delivery[0]?.slots.length).toBe(4);
    }
    // a promise is only for delivery
    const pickup = await place({ method: 'pickup', storeId: 'S1', promise: { kind: 'asap' } });
    expect(pickup.status).toBe(400);
  });

  it('pickup and ship orders carry their promise too', async () => {
    const pickup = await place(
      { method: 'pickup', storeId: 'S2' },
      { method: 'card', cardToken: 'tok_visa' },
    );
    expect(pickup.status).toBe(201);
    expect(pickup.body.promise?.kind).toBe('pickup');
    const ship = await place({ method: 'ship', address: ADDRESS }, { method: 'card', cardToken: 'tok_visa' });
    expect(ship.status).toBe(201);
    expect(ship.body.promise?.kind).toBe('ship');
  });

  it('a zone deleted by dispatch stops delivery at once; an older event does not revive it', async () => {
    await publishZone(h, worldZone({ version: 5, deleted: true }));
    const gone = await quote({ lines: TEE, address: ADDRESS });
    expect(gone.body.delivery).toEqual([]);
    await publishZone(h, worldZone({ version: 3 })); // stale: ignored
    expect((await quote({ lines: TEE, address: ADDRESS })).body.delivery).toEqual([]);
    await publishZone(h, worldZone({ version: 6 }));
    expect((await quote({ lines: TEE, address: ADDRESS })).body.delivery).toHaveLength(1);
  });

  it('quotes need a token and a bounded basket', async () => {
    const anon = await api(h, '').post('/v1/quotes', { lines: TEE });
    expect(anon.status).toBe(401);
    const zero = await quote({ lines: [{ sku: 'TEE', qty: 0 }] });
    expect(zero.status).toBe(400);
    const coerced = await quote({ lines: [{ sku: 'TEE', qty: '1' }] });
    expect(coerced.status).toBe(400);
    const unsellable = await quote({ lines: [{ sku: 'OLD', qty: 1 }] });
    expect(unsellable.status).toBe(422);
  });
});

describe('slot capacity under concurrency', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ zone: { slotCapacity: 20 } });
    h.inventory.setStock('S1', 'TEE', 1_000);
  });
  afterAll(async () => h?.stop());

  it('200 concurrent orders for a slot of capacity 20: exactly 20 accepted, the rest 422 slot-full with alternatives', async () => {
    const customer = await h.issuer.customer('C2');
    const q = await api(h, customer).post<QuoteBody>('/v1/quotes', { lines: TEE, address: ADDRESS });
    const chosen = q.body.delivery[0]!.slots[1]!; // an hour clear of "now": the test never straddles its start
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api(h, customer).post<OrderBody & Problem>(
          '/v1/orders',
          {
            lines: TEE,
            fulfilment: {
              method: 'delivery',
              address: ADDRESS,
              promise: { kind: 'slot', from: chosen.from },
            },
            payment: { method: 'card', cardToken: 'tok_visa' },
          },
          { headers: { 'idempotency-key': `slot-rush-${i}` } },
        ),
      ),
    );
    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(accepted).toHaveLength(20);
    expect(refused).toHaveLength(180);
    for (const r of refused) {
      expect(r.body.type).toBe('https://omni.dev/problems/slot-full');
      // the full slot is no longer offered; the next ones are
      const offered = r.body.alternatives?.delivery[0]?.slots.map((s) => s.from) ?? [];
      expect(offered).not.toContain(chosen.from);
      expect(offered.length).toBeGreaterThan(0);
    }
    const ids = accepted.map((r) => r.body.id).sort();
    const booked = await slot(h, chosen.from);
    expect(booked?.booked).toBe(20);
    expect([...booked!.orderIds].sort()).toEqual(ids);
    // nothing half-written: exactly the accepted orders exist, each confirmed with the slot's promise
    const orders = await h.store
      .collection<{ _id: string; status: string; promise?: Window }>('orders')
      .find({});
    expect(orders.map((o) => o._id).sort()).toEqual(ids);
    for (const o of orders) {
      expect(o.status).toBe('confirmed');
      expect(o.promise).toEqual({ kind: 'slot', from: chosen.from, to: chosen.to });
    }
    expect(h.inventory.available('S1', 'TEE')).toBe(1_000 - 20);
  });
});
