import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeliveryDelivered,
  DeliveryFailed,
  ReservationAtRisk,
  DeliveryLate,
  DeliveryPickedUp,
  PickupTaskCollected,
  PickupTaskExpired,
  PickupTaskReady,
  PickupTaskShortPicked,
  StoreRejected,
} from '@omni/contracts';
import type { CloudEvent, EventDefinition } from '@omni/events';
import { waitFor } from '@omni/testing';
import type { OrderDoc } from '../src/domain/types';
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
 * Redelivery: every consumed event delivered twice (the bus redelivering the same event id, and the
 * producer re-emitting it under a new id), and the whole history replayed again at the end, must leave
 * exactly the state a single delivery leaves — same statuses, reservations, payments, emitted events.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

interface Sent {
  def: EventDefinition;
  event: CloudEvent;
}

async function place(body: Record<string, unknown>): Promise<string> {
  const res = await api(h, await h.issuer.customer('C1')).post<{ id: string }>('/v1/orders', body, {
    headers: key(),
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Runs the scenarios for fresh orders; with `duplicate`, every event goes out three times. */
async function runScenarios(duplicate: boolean): Promise<{ ids: string[]; sent: Sent[] }> {
  const sent: Sent[] = [];
  const send = async <D extends EventDefinition>(
    def: D,
    subject: string,
    data: Parameters<typeof publish<D>>[3],
  ) => {
    const event = await publish(h.bus, def, subject, data);
    sent.push({ def, event });
    if (duplicate) {
      await republish(h.bus, def.topic, event); // same id: the inbox drops it
      await publish(h.bus, def, subject, data); // new id, same content: the order's state drops it
    }
  };
  const at = new Date().toISOString();

  // pickup: short pick at S1 → re-routed to S2 → ready → collected
  const p = await place({
    lines: [{ sku: 'TEE', qty: 1 }],
    fulfilment: { method: 'pickup', storeId: 'S1' },
    payment: { method: 'card', cardToken: 'tok_visa' },
  });
  const t = (storeId: string, n: number) => ({
    taskId: `t-${p}-${n}`,
    orderId: p,
    storeId,
    reservationId: `${p}-r${n}`,
  });
  await send(PickupTaskShortPicked, p, { ...t('S1', 0), shortLines: [{ sku: 'TEE', qty: 1 }] });
  await waitForOrder(h, p, (o) => o.routeAttempt === 1);
  await send(PickupTaskReady, p, { ...t('S2', 1), holdUntil: at });
  await waitForOrder(h, p, (o) => o.status === 'ready_for_pickup');
  await send(PickupTaskCollected, p, { ...t('S2', 1), collectedAt: at, offline: false });
  await waitForOrder(h, p, (o) => o.status === 'collected');

  // delivery: store rejects → S2 → picked up → late → delivered
  const d = await place({
    lines: [{ sku: 'MUG', qty: 1 }],
    fulfilment: { method: 'delivery', address: ADDRESS },
    payment: { method: 'card', cardToken: 'tok_visa' },
  });
  const j = (storeId: string) => ({ jobId: `j-${d}`, orderId: d, storeId });
  await send(StoreRejected, d, { ...j('S1'), reason: 'busy', timedOut: true });
  await waitForOrder(h, d, (o) => o.routeAttempt === 1);
  await send(DeliveryPickedUp, d, { ...j('S2'), riderId: 'R1', at });
  await waitForOrder(h, d, (o) => o.status === 'out_for_delivery');
  await send(DeliveryLate, d, { ...j('S2'), promisedAt: at, minutesLate: 7 });
  await waitForOrder(h, d, (o) => !!o.compensation);
  await send(DeliveryDelivered, d, { ...j('S2'), riderId: 'R1', at, proof: 'code' });
  await waitForOrder(h, d, (o) => o.status === 'delivered');

  // no-show
  const n = await place({
    lines: [{ sku: 'TEE', qty: 1 }],
    fulfilment: { method: 'pickup', storeId: 'S3' },
    payment: { method: 'card', cardToken: 'tok_visa' },
  });
  await send(PickupTaskExpired, n, { taskId: `t-${n}`, orderId: n, storeId: 'S3', reservationId: `${n}-r0` });
  await waitForOrder(h, n, (o) => o.status === 'cancelled');

  // stock at risk at S1 → re-routed
  const r = await place({
    lines: [{ sku: 'MUG', qty: 1 }],
    fulfilment: { method: 'pickup', storeId: 'S1' },
    payment: { method: 'card', cardToken: 'tok_visa' },
  });
  await send(ReservationAtRisk, `${r}-r0`, {
    reservationId: `${r}-r0`,
    orderId: r,
    locationId: 'S1',
    lines: [{ sku: 'MUG', qty: 1 }],
    shortLines: [{ sku: 'MUG', qty: 1 }],
    cause: { kind: 'pos-sale' },
  });
  await waitForOrder(h, r, (o) => o.routeAttempt === 1);

  // delivery failed after pick-up → cancelled, goods announced back at the store
  const f = await place({
    lines: [{ sku: 'TEE', qty: 1 }],
    fulfilment: { method: 'delivery', address: ADDRESS },
    payment: { method: 'cod' },
  });
  await send(DeliveryPickedUp, f, { jobId: `j-${f}`, orderId: f, storeId: 'S1', riderId: 'R2', at });
  await waitForOrder(h, f, (o) => o.status === 'out_for_delivery');
  await send(DeliveryFailed, f, {
    jobId: `j-${f}`,
    orderId: f,
    storeId: 'S1',
    riderId: 'R2',
    reason: 'nobody home',
  });
  await waitForOrder(h, f, (o) => o.status === 'cancelled');
  return { ids: [p, d, n, r, f], sent };
}

/** Orders consumed everything, its sagas are idle, its outbox is published and observed. */
async function drained(): Promise<void> {
  const idle = async () =>
    (await h.store.collection('orders').countDocuments({ active: true })) === 0 &&
    (await h.store.collection('outbox').countDocuments({})) === 0 &&
    (await h.bus.lag()).every((l) => l.lag === 0);
  await waitFor(async () => (await idle()) || undefined, {
    what: 'orders consumer, sagas and outbox drained',
  });
}

/** The state of an order with its id taken out, plus what inventory and the outbox saw of it. */
function snapshot(o: OrderDoc) {
  const relative = (s: string) => s.replace(o._id, '<id>');
  const published: Record<string, number> = {};
  for (const e of h.events.all.filter((x) => x.subject === o._id))
    published[e.type] = (published[e.type] ?? 0) + 1;
  const reservations = [...h.inventory.reservations.values()]
    .filter((r) => r.orderId === o._id)
    .map((r) => `${relative(r.id)}@${r.locationId}:${r.status}`)
    .sort();
  return {
    status: o.status,
    routeAttempt: o.routeAttempt,
    locationId: o.fulfilment.locationId,
    reservation: { ...o.reservation, reservationId: relative(o.reservation.reservationId) },
    payment: {
      status: o.payment.status,
      captured: o.payment.captured,
      refunded: o.payment.refunded,
      captureReduction: o.payment.captureReduction,
    },
    compensation: o.compensation?.kind,
    history: o.statusHistory.map((c) => `${c.from}>${c.to}`),
    attention: o.attention.length,
    reservations,
    published,
  };
}

describe('redelivery', () => {
  it('every event twice (same id and re-emitted), then the whole history again: same state as once', async () => {
    const once = await runScenarios(false);
    const twice = await runScenarios(true);
    // Replay everything ever consumed, once more, in the original order.
    for (const s of [...once.sent, ...twice.sent]) await republish(h.bus, s.def.topic, s.event);
    for (const s of [...once.sent, ...twice.sent])
      await publish(h.bus, s.def, s.event.subject, s.event.data as never);
    await drained();
    for (let i = 0; i < once.ids.length; i++) {
      const a = snapshot(await h.order(once.ids[i]!));
      const b = snapshot(await h.order(twice.ids[i]!));
      expect(b).toEqual(a);
      expect(a.attention).toBe(0);
    }
    expect(snapshot(await h.order(once.ids[0]!))).toMatchObject({
      status: 'collected',
      routeAttempt: 1,
      locationId: 'S2',
    });
    expect(snapshot(await h.order(once.ids[1]!))).toMatchObject({
      status: 'delivered',
      compensation: 'refund_delivery_fee',
    });
    expect(snapshot(await h.order(once.ids[2]!))).toMatchObject({ status: 'cancelled' });
    expect(snapshot(await h.order(once.ids[3]!))).toMatchObject({ status: 'confirmed', routeAttempt: 1 });
    expect(snapshot(await h.order(once.ids[4]!))).toMatchObject({
      status: 'cancelled',
      reservation: { status: 'committed' },
    });
  });
});
