import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OrderCompleted,
  OrderLinesCancelled,
  OrderPacked,
  OrderRerouted,
  ReservationAtRisk,
  ShipmentTracked,
} from '@omni/contracts';
import { waitFor } from '@omni/testing';
import { SimulatedCarrier } from '../src/carrier/simulated-carrier';
import {
  ADDRESS,
  api,
  key,
  publish,
  republish,
  startHarness,
  waitForOrder,
  type Harness,
} from './support/harness';

/**
 * Warehouse fulfilment as orders sees it: a packed order (inventory's OrderPacked) is booked with
 * the carrier and handed over (stock committed, payment captured) but not completed; the carrier's
 * tracking delivers it and only then is it completed (points accrue on OrderCompleted). A short pick
 * (inventory announces the reservation at risk) re-routes a ship order through the saga.
 */
const STEP_MS = 60_000;
let now = new Date('2026-03-02T08:00:00.000Z');
const carrierClock = () => new Date(now);
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    carrier: new SimulatedCarrier({ stepMs: STEP_MS, clock: carrierClock }),
    // the test drives tracking by hand (trackShipments), the timer stays out of the way
    timings: { carrierTrackingMs: 3_600_000 },
  });
});
afterAll(async () => h?.stop());

async function placeShip(sku = 'CAP'): Promise<string> {
  const res = await api(h, await h.issuer.customer('C1')).post<{
    id: string;
    fulfilment: { locationId: string };
  }>(
    '/v1/orders',
    {
      lines: [{ sku, qty: 2 }],
      fulfilment: { method: 'ship', address: ADDRESS },
      payment: { method: 'card', cardToken: 'tok_visa' },
    },
    { headers: key() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.fulfilment.locationId).toBe('W1');
  return res.body.id;
}

const packed = (id: string, reservationId = `${id}-r0`) => ({
  orderId: id,
  reservationId,
  locationId: 'W1',
  pickListId: 'pl_test',
  parcels: [
    { parcelId: `${reservationId}-1`, weightGrams: 1200 },
    { parcelId: `${reservationId}-2`, weightGrams: 300 },
  ],
  actor: { sub: 'picker-1', role: 'store_staff' },
});

describe('packed → carrier → delivered', () => {
  it('a packed order is booked and shipped, and completed only when the carrier delivers it', async () => {
    const id = await placeShip();
    const event = await publish(h.bus, OrderPacked, `${id}-r0`, packed(id));
    const shipped = await waitForOrder(h, id, (o) => o.status === 'shipped');
    expect(shipped.shipment).toMatchObject({
      carrier: 'simulated-post',
      pickListId: 'pl_test',
      parcels: packed(id).parcels,
      bookedAt: now.toISOString(),
      tracking: [],
    });
    expect(shipped.shipment!.trackingNumber).toMatch(/^SP[0-9A-F]{12}$/);
    expect(shipped.payment.status).toBe('captured');
    expect(h.inventory.reservations.get(`${id}-r0`)?.status).toBe('committed');
    expect(shipped.completedAt).toBeUndefined();

    // Redelivery of the packing changes nothing (the order is no longer confirmed).
    await republish(h.bus, OrderPacked.topic, event);
    await h.svc.orders.trackShipments();
    const [label] = await h.events.waitFor(ShipmentTracked, id);
    expect(label!.data).toMatchObject({
      status: 'label_created',
      trackingNumber: shipped.shipment!.trackingNumber,
    });
    expect(h.events.of(OrderCompleted, id)).toHaveLength(0);

    now = new Date(now.getTime() + STEP_MS);
    await h.svc.orders.trackShipments();
    expect((await h.order(id)).status).toBe('shipped');
    now = new Date(now.getTime() + 2 * STEP_MS);
    await h.svc.orders.trackShipments();
    await h.svc.orders.trackShipments();
    const delivered = await h.order(id);
    expect(delivered.status).toBe('delivered');
    expect(delivered.shipment!.tracking!.map((t) => t.status)).toEqual([
      'label_created',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ]);
    const [completed] = await h.events.waitFor(OrderCompleted, id);
    expect(completed!.data.completedAt).toBe(delivered.shipment!.deliveredAt);
    const tracked = await h.events.waitFor(ShipmentTracked, id, 4);
    expect(tracked.map((e) => e.data.status)).toEqual([
      'label_created',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ]);
    // One completion and one ship, whatever was redelivered or re-read.
    expect(h.events.of(OrderCompleted, id)).toHaveLength(1);
    expect(h.inventory.journal.filter((j) => j === `commit:${id}-r0`)).toHaveLength(1);
  });

  it('a packing of a reservation the order has left is ignored', async () => {
    const id = await placeShip();
    await publish(h.bus, OrderPacked, `${id}-old`, packed(id, `${id}-old`));
    // whichever is consumed first, only the packing of the order's own reservation ships it
    await publish(h.bus, OrderPacked, `${id}-r0`, packed(id));
    const o = await waitForOrder(h, id, (x) => x.status === 'shipped');
    expect(o.shipment!.parcels![0]!.parcelId).toBe(`${id}-r0-1`);
  });

  it('staff shipping by hand without a tracking number get a booked, tracked parcel', async () => {
    const id = await placeShip('TEE');
    const res = await api(h, await h.issuer.staff('W1')).post<{
      status: string;
      shipment: { trackingNumber: string };
    }>(`/v1/orders/${id}/shipments`, {});
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('shipped');
    expect(res.body.shipment.trackingNumber).toMatch(/^SP/);
    expect(h.events.of(OrderCompleted, id)).toHaveLength(0);
  });
});

describe('short pick at the warehouse', () => {
  it('re-routes the ship order through the saga: reserved elsewhere first, then the warehouse released', async () => {
    const id = await placeShip('TEE');
    await publish(h.bus, ReservationAtRisk, `${id}-r0`, {
      reservationId: `${id}-r0`,
      orderId: id,
      locationId: 'W1',
      lines: [{ sku: 'TEE', qty: 1 }],
      shortLines: [{ sku: 'TEE', qty: 1 }],
      cause: { kind: 'short-pick', opId: 'pl_test' },
    });
    const o = await waitForOrder(h, id, (x) => x.routeAttempt === 1);
    expect(o.status).toBe('confirmed');
    expect(o.fulfilment.locationId).toBe('S1');
    expect(h.inventory.reservations.get(`${id}-r1`)?.status).toBe('active');
    await waitFor(
      () => (h.inventory.reservations.get(`${id}-r0`)?.status === 'released' ? true : undefined),
      {
        what: 'the warehouse reservation released',
      },
    );
    const [rerouted] = await h.events.waitFor(OrderRerouted, id);
    expect(rerouted!.data).toMatchObject({ fromLocationId: 'W1', toLocationId: 'S1' });
    expect(rerouted!.data.reason).toContain('short-pick');
  });
});

describe('short pick under the cancel_lines policy', () => {
  let h2: Harness;
  beforeAll(async () => {
    h2 = await startHarness({ policy: { shortPickPolicy: 'cancel_lines' } });
  });
  afterAll(async () => h2?.stop());

  it('cancels the missing units and keeps the order at the warehouse; the capture takes only the rest', async () => {
    const res = await api(h2, await h2.issuer.customer('C1')).post<{ id: string }>(
      '/v1/orders',
      {
        lines: [
          { sku: 'TEE', qty: 2 },
          { sku: 'MUG', qty: 1 },
        ],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 'tok_visa' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(201);
    const id = res.body.id;
    await publish(h2.bus, ReservationAtRisk, `${id}-r0`, {
      reservationId: `${id}-r0`,
      orderId: id,
      locationId: 'W1',
      lines: [
        { sku: 'TEE', qty: 1 },
        { sku: 'MUG', qty: 1 },
      ],
      shortLines: [{ sku: 'TEE', qty: 1 }],
      cause: { kind: 'short-pick', opId: 'pl_x' },
    });
    const o = await waitForOrder(h2, id, (x) => x.lines.find((l) => l.sku === 'TEE')?.qty === 1);
    expect(o.fulfilment.locationId).toBe('W1');
    expect(o.routeAttempt).toBe(0);
    expect(o.amountDue.amountMinor).toBe(1999 + 899);
    const [cancelled] = await h2.events.waitFor(OrderLinesCancelled, id);
    expect(cancelled!.data).toMatchObject({
      lines: [{ sku: 'TEE', qty: 1 }],
      notCharged: { amountMinor: 1999 },
    });
    await publish(h2.bus, OrderPacked, `${id}-r0`, packed(id));
    const shipped = await waitForOrder(h2, id, (x) => x.status === 'shipped');
    expect(shipped.payment.captured).toEqual({ amountMinor: 1999 + 899, currency: 'EUR' });
    expect(h2.events.of(OrderRerouted, id)).toHaveLength(0);
  });
});
