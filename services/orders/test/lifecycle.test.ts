import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeliveryDelivered,
  DeliveryFailed,
  DeliveryLate,
  DeliveryPickedUp,
  OrderCancelled,
  OrderCompensated,
  OrderCompleted,
  OrderConfirmed,
  OrderRerouted,
  OrderStatusChanged,
  PickupTaskCollected,
  PickupTaskExpired,
  PickupTaskReady,
  PickupTaskShortPicked,
  OrderAttentionRaised,
  ReservationAtRisk,
  ReturnReceived,
  StoreRejected,
} from '@omni/contracts';
import {
  ADDRESS,
  api,
  east,
  key,
  publish,
  startHarness,
  waitForOrder,
  type Harness,
} from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const later = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function place(body: Record<string, unknown>): Promise<string> {
  const res = await api(h, await h.issuer.customer('C1')).post<{ id: string; status: string }>(
    '/v1/orders',
    body,
    { headers: key() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const pickupAt = (storeId: string, sku = 'TEE', qty = 1) =>
  place({
    lines: [{ sku, qty }],
    fulfilment: { method: 'pickup', storeId },
    payment: { method: 'card', cardToken: 'tok_visa' },
  });
const deliveryTo = (
  geo = CENTER_ADDRESS.geo,
  payment: Record<string, unknown> = { method: 'card', cardToken: 'tok_visa' },
) =>
  place({
    lines: [{ sku: 'MUG', qty: 2 }],
    fulfilment: { method: 'delivery', address: { ...ADDRESS, geo } },
    payment,
  });
const CENTER_ADDRESS = ADDRESS;

function task(orderId: string, storeId: string, attempt = 0) {
  return { taskId: `task-${orderId}-${attempt}`, orderId, storeId, reservationId: `${orderId}-r${attempt}` };
}
function job(orderId: string, storeId: string) {
  return { jobId: `job-${orderId}`, orderId, storeId };
}

describe('pickup lifecycle', () => {
  it('ready → collected: commits the reservation, captures the payment, completes the order', async () => {
    const id = await pickupAt('S1');
    const onHand = h.inventory.onHand('S1', 'TEE');
    await publish(h.bus, PickupTaskReady, id, { ...task(id, 'S1'), holdUntil: later(3 * 24 * 60) });
    const ready = await waitForOrder(h, id, (o) => o.status === 'ready_for_pickup');
    expect(ready.fulfilment.holdUntil).toBeTruthy();
    await publish(h.bus, PickupTaskCollected, id, {
      ...task(id, 'S1'),
      collectedAt: new Date().toISOString(),
      offline: false,
    });
    const done = await waitForOrder(h, id, (o) => o.status === 'collected');
    expect(done.reservation.status).toBe('committed');
    expect(done.payment).toMatchObject({
      status: 'captured',
      captured: { amountMinor: 1999, currency: 'EUR' },
    });
    expect(h.inventory.onHand('S1', 'TEE')).toBe(onHand - 1);
    const [completed] = await h.events.waitFor(OrderCompleted, id);
    expect(completed!.data).toMatchObject({ orderId: id, customerId: 'C1', total: { amountMinor: 1999 } });
    const changes = await h.events.waitFor(OrderStatusChanged, id, 3);
    expect(changes.map((e) => `${e.data.from}>${e.data.to}`)).toEqual([
      'pending>confirmed',
      'confirmed>ready_for_pickup',
      'ready_for_pickup>collected',
    ]);
  });

  it('short pick re-routes: new reservation first, then the old one released; OrderRerouted + OrderConfirmed(attempt 1)', async () => {
    const id = await pickupAt('S1');
    await publish(h.bus, PickupTaskShortPicked, id, {
      ...task(id, 'S1'),
      shortLines: [{ sku: 'TEE', qty: 1 }],
    });
    const moved = await waitForOrder(h, id, (o) => o.routeAttempt === 1);
    expect(moved).toMatchObject({
      status: 'confirmed',
      fulfilment: { locationId: 'S2' },
      reservation: { reservationId: `${id}-r1`, status: 'active' },
    });
    expect(h.inventory.reservations.get(`${id}-r0`)?.status).toBe('released');
    const j = h.inventory.journal;
    expect(j.indexOf(`reserve:${id}-r1`)).toBeLessThan(j.indexOf(`release:${id}-r0`));
    const [rerouted] = await h.events.waitFor(OrderRerouted, id);
    expect(rerouted!.data).toMatchObject({ fromLocationId: 'S1', toLocationId: 'S2', routeAttempt: 1 });
    expect(rerouted!.data.reason).toContain('short pick at S1');
    const confirmations = await h.events.waitFor(OrderConfirmed, id, 2);
    expect(confirmations[1]!.data).toMatchObject({
      routeAttempt: 1,
      reservationId: `${id}-r1`,
      fulfilment: { locationId: 'S2' },
    });

    // The old store's short pick again (another copy) and a ready for the old task are stale.
    await publish(h.bus, PickupTaskShortPicked, id, {
      ...task(id, 'S1'),
      shortLines: [{ sku: 'TEE', qty: 1 }],
    });
    await publish(h.bus, PickupTaskReady, id, { ...task(id, 'S1'), holdUntil: later(60) });
    await publish(h.bus, PickupTaskReady, id, { ...task(id, 'S2', 1), holdUntil: later(60) });
    const ready = await waitForOrder(h, id, (o) => o.status === 'ready_for_pickup');
    expect(ready).toMatchObject({ routeAttempt: 1, fulfilment: { locationId: 'S2' } });
    expect(h.events.of(OrderRerouted, id)).toHaveLength(1);
  });

  it('when no other store can serve, the order is cancelled with a refund', async () => {
    h.inventory.setStock('S2', 'CAP', 1);
    const id = await pickupAt('S2', 'CAP');
    await publish(h.bus, PickupTaskShortPicked, id, {
      ...task(id, 'S2'),
      shortLines: [{ sku: 'CAP', qty: 1 }],
    });
    const o = await waitForOrder(h, id, (x) => x.status === 'cancelled');
    expect(o.reservation.status).toBe('released');
    expect(o.payment.status).toBe('voided');
    const [cancelled] = await h.events.waitFor(OrderCancelled, id);
    expect(cancelled!.data).toMatchObject({
      orderId: id,
      locationId: 'S2',
      refund: { amountMinor: 1299, currency: 'EUR' },
    });
    expect(cancelled!.data.reason).toContain('no location can serve');
  });

  it('no-show: the expired task cancels the order, stock goes back on sale, the hold is voided', async () => {
    const id = await pickupAt('S3');
    const available = h.inventory.available('S3', 'TEE');
    await publish(h.bus, PickupTaskReady, id, { ...task(id, 'S3'), holdUntil: later(1) });
    await waitForOrder(h, id, (o) => o.status === 'ready_for_pickup');
    await publish(h.bus, PickupTaskExpired, id, task(id, 'S3'));
    const o = await waitForOrder(h, id, (x) => x.status === 'cancelled');
    expect(o.statusReason).toContain('not collected');
    expect(o.payment.status).toBe('voided');
    expect(h.inventory.available('S3', 'TEE')).toBe(available + 1);
  });

  it('stock at risk (a late store sale) moves a confirmed order before the store finds the shelf empty', async () => {
    const id = await pickupAt('S1', 'MUG');
    await publish(h.bus, ReservationAtRisk, `${id}-r0`, {
      reservationId: `${id}-r0`,
      locationId: 'S1',
      lines: [{ sku: 'MUG', qty: 1 }],
      shortLines: [{ sku: 'MUG', qty: 1 }],
      cause: { kind: 'pos-sale', opId: 'pos-1' },
    });
    const o = await waitForOrder(h, id, (x) => x.routeAttempt === 1);
    expect(o.fulfilment.locationId).not.toBe('S1');
    expect(o.route.reason).toContain('switched');
    const [rerouted] = await h.events.waitFor(OrderRerouted, id);
    expect(rerouted!.data.reason).toContain('stock at risk at S1');
  });

  it('stock at risk of an order already picked is raised to the store (attention + event), never moved', async () => {
    const id = await pickupAt('S1', 'MUG');
    await publish(h.bus, PickupTaskReady, id, { ...task(id, 'S1'), holdUntil: later(60) });
    await waitForOrder(h, id, (o) => o.status === 'ready_for_pickup');
    await publish(h.bus, ReservationAtRisk, `${id}-r0`, {
      reservationId: `${id}-r0`,
      orderId: id,
      locationId: 'S1',
      lines: [{ sku: 'MUG', qty: 1 }],
      shortLines: [{ sku: 'MUG', qty: 1 }],
      cause: { kind: 'pos-sale', opId: 'pos-2' },
    });
    const o = await waitForOrder(h, id, (x) => x.attention.some((a) => a.code === 'picked-stock-at-risk'));
    expect(o).toMatchObject({
      status: 'ready_for_pickup',
      routeAttempt: 0,
      fulfilment: { locationId: 'S1' },
    });
    expect(o.queue).toEqual([]);
    const [raised] = await h.events.waitFor(OrderAttentionRaised, id);
    expect(raised!.data).toMatchObject({ orderId: id, locationId: 'S1', code: 'picked-stock-at-risk' });
    expect(raised!.data.reason).toContain('pos-sale: MUG x1');
  });
});

describe('local delivery lifecycle', () => {
  it('store rejects → next store; picked up → out for delivery; late → fee refunded; delivered → captured', async () => {
    const id = await deliveryTo();
    expect((await h.order(id)).fulfilment.locationId).toBe('S1');
    await publish(h.bus, StoreRejected, id, { ...job(id, 'S1'), reason: 'no pickers', timedOut: false });
    const moved = await waitForOrder(h, id, (o) => o.routeAttempt === 1);
    expect(moved.fulfilment.locationId).toBe('S2');

    await publish(h.bus, DeliveryPickedUp, id, {
      ...job(id, 'S2'),
      riderId: 'R1',
      at: new Date().toISOString(),
    });
    const out = await waitForOrder(h, id, (o) => o.status === 'out_for_delivery');
    expect(out.reservation.status).toBe('committed');

    await publish(h.bus, DeliveryLate, id, {
      ...job(id, 'S2'),
      promisedAt: new Date().toISOString(),
      minutesLate: 12,
    });
    await publish(h.bus, DeliveryLate, id, {
      ...job(id, 'S2'),
      promisedAt: new Date().toISOString(),
      minutesLate: 14,
    });
    const [compensated] = await h.events.waitFor(OrderCompensated, id);
    expect(compensated!.data).toMatchObject({
      kind: 'refund_delivery_fee',
      amount: { amountMinor: 499 },
      minutesLate: 12,
    });

    await publish(h.bus, DeliveryDelivered, id, {
      ...job(id, 'S2'),
      riderId: 'R1',
      at: new Date().toISOString(),
      proof: 'code',
    });
    const done = await waitForOrder(h, id, (o) => o.status === 'delivered');
    // the fee was refunded before capture: captured = due - fee
    expect(done.payment).toMatchObject({ status: 'captured', captured: { amountMinor: 2 * 899 } });
    await h.events.waitFor(OrderCompleted, id);
    expect(h.events.of(OrderCompensated, id)).toHaveLength(1);
  });

  it('cash on delivery: delivered records the cash the rider collected; a late one gets a coupon', async () => {
    const id = await deliveryTo(east(2), { method: 'cod' });
    await publish(h.bus, DeliveryLate, id, {
      ...job(id, 'S2'),
      promisedAt: new Date().toISOString(),
      minutesLate: 5,
    });
    await h.events.waitFor(OrderCompensated, id);
    expect(h.events.of(OrderCompensated, id)[0]!.data).toMatchObject({
      kind: 'coupon',
      amount: { amountMinor: 500 },
    });
    // delivered without a picked-up event first (lost or late): commit happens on delivery
    await publish(h.bus, DeliveryDelivered, id, {
      ...job(id, 'S2'),
      riderId: 'R1',
      at: new Date().toISOString(),
      proof: 'code',
      codCollected: { amountMinor: 2297, currency: 'EUR' },
    });
    const o = await waitForOrder(h, id, (x) => x.status === 'delivered');
    expect(o.payment).toMatchObject({ status: 'cod_paid', codCollected: { amountMinor: 2297 } });
    expect(o.reservation.status).toBe('committed');
    await publish(h.bus, DeliveryPickedUp, id, {
      ...job(id, 'S2'),
      riderId: 'R1',
      at: new Date().toISOString(),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.order(id)).status).toBe('delivered');
  });

  it('failed delivery: goods back to the store (return received, restock), order cancelled and refunded', async () => {
    const id = await deliveryTo();
    await publish(h.bus, DeliveryPickedUp, id, {
      ...job(id, 'S1'),
      riderId: 'R1',
      at: new Date().toISOString(),
    });
    await waitForOrder(h, id, (o) => o.status === 'out_for_delivery');
    await publish(h.bus, DeliveryFailed, id, { ...job(id, 'S1'), riderId: 'R1', reason: 'nobody home' });
    const o = await waitForOrder(h, id, (x) => x.status === 'cancelled');
    expect(o.payment.status).toBe('voided');
    const [ret] = await h.events.waitFor(ReturnReceived, id);
    expect(ret!.data).toMatchObject({
      orderId: id,
      locationId: 'S1',
      lines: [{ sku: 'MUG', qty: 2, disposition: 'restock' }],
    });
  });
});
