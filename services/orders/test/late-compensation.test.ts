import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeliveryDelivered,
  DeliveryLate,
  DeliveryPickedUp,
  OrderCompensated,
  OrderLateRemedyOffered,
} from '@omni/contracts';
import { ADDRESS, api, key, publish, startHarness, waitForOrder, type Harness } from './support/harness';

/**
 * Late deliveries through the public surface: dispatch's late events (redelivered, out of order), ops
 * marking an order late (audited), the customer's remedy choice over HTTP, and the default remedy.
 * MUG × 2 = 1798 + 499 delivery fee = 2297 charged.
 */

interface View {
  status: string;
  payment: { status: string; captured?: { amountMinor: number }; refunded?: { amountMinor: number } };
  compensation?: { kind: string; amount: { amountMinor: number } };
  late?: { minutesLate: number; remedy?: { decideBy: string; choice?: string; chosenBy?: string } };
}

const job = (orderId: string) => ({ jobId: `job-${orderId}`, orderId, storeId: 'S1' });
const now = () => new Date().toISOString();

async function deliveryOrder(
  h: Harness,
  payment: Record<string, unknown> = { method: 'card', cardToken: 'tok_visa' },
) {
  const res = await api(h, await h.issuer.customer('C1')).post<{ id: string }>(
    '/v1/orders',
    { lines: [{ sku: 'MUG', qty: 2 }], fulfilment: { method: 'delivery', address: ADDRESS }, payment },
    { headers: key() },
  );
  expect(res.status).toBe(201);
  return res.body.id;
}

async function late(h: Harness, id: string, minutesLate: number, eventId?: string) {
  await publish(
    h.bus,
    DeliveryLate,
    id,
    { ...job(id), promisedAt: now(), minutesLate },
    eventId ? { id: eventId } : {},
  );
}

async function delivered(h: Harness, id: string) {
  await publish(h.bus, DeliveryDelivered, id, { ...job(id), riderId: 'R1', at: now(), proof: 'code' });
  return waitForOrder(h, id, (o) => o.status === 'delivered');
}

describe('late compensation: the customer chooses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it('12 min late (redelivered): fee back once; 75 min: remedy offered once; free order chosen → nothing charged', async () => {
    const id = await deliveryOrder(h);
    await publish(h.bus, DeliveryPickedUp, id, { ...job(id), riderId: 'R1', at: now() });
    await waitForOrder(h, id, (o) => o.status === 'out_for_delivery');

    await late(h, id, 12, `late-12-${id}`);
    await late(h, id, 12, `late-12-${id}`); // the same event redelivered
    await late(h, id, 12); // the same fact, a new event id
    const [fee] = await h.events.waitFor(OrderCompensated, id);
    expect(fee!.data).toMatchObject({
      kind: 'refund_delivery_fee',
      amount: { amountMinor: 499 },
      minutesLate: 12,
      paidBy: 'platform',
      chargeToLocationId: 'S1',
    });

    await late(h, id, 75);
    await late(h, id, 75);
    const [offer] = await h.events.waitFor(OrderLateRemedyOffered, id);
    expect(offer!.data).toMatchObject({
      orderId: id,
      customerId: 'C1',
      minutesLate: 75,
      defaultRemedy: 'free_order',
    });
    const offered = await waitForOrder(h, id, (o) => o.late?.minutesLate === 75);
    expect(offered.late?.remedy?.decideBy).toBeTruthy();

    // Another customer does not see the order; staff may not choose for the customer.
    const other = await api(h, await h.issuer.customer('C2')).post(`/v1/orders/${id}/late-remedy`, {
      choice: 'free_order',
    });
    expect(other.status).toBe(404);
    const staff = await api(h, await h.issuer.staff('S1')).post(`/v1/orders/${id}/late-remedy`, {
      choice: 'free_order',
    });
    expect(staff.status).toBe(403);

    const customer = api(h, await h.issuer.customer('C1'));
    const chosen = await customer.post<View>(`/v1/orders/${id}/late-remedy`, { choice: 'free_order' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.late?.remedy).toMatchObject({ choice: 'free_order', chosenBy: 'customer' });
    // The same choice again answers the order; a different one is refused.
    expect((await customer.post(`/v1/orders/${id}/late-remedy`, { choice: 'free_order' })).status).toBe(200);
    const switched = await customer.post<{ type: string }>(`/v1/orders/${id}/late-remedy`, {
      choice: 'redelivery',
    });
    expect(switched.status).toBe(409);
    expect(switched.body.type).toContain('late-remedy-not-open');

    const all = await h.events.waitFor(OrderCompensated, id, 2);
    expect(all[1]!.data).toMatchObject({
      kind: 'free_order',
      amount: { amountMinor: 2297 - 499 },
      chosenBy: 'customer',
    });

    // Delivered afterwards: nothing is captured, the authorisation is released.
    const done = await delivered(h, id);
    expect(done.payment.status).toBe('voided');
    expect(done.payment.captured).toBeUndefined();
    // Replayed late reports after the end change nothing.
    await late(h, id, 75);
    await late(h, id, 12);
    await waitForOrder(h, id, (o) => !o.active);
    expect(h.events.of(OrderCompensated, id)).toHaveLength(2);
    expect(h.events.of(OrderLateRemedyOffered, id)).toHaveLength(1);
  });

  it('out of order: 90 min arrives before 5 min; delivered (captured) then re-delivery chosen → fee refunded + coupon', async () => {
    const id = await deliveryOrder(h);
    await late(h, id, 90);
    await late(h, id, 5);
    await h.events.waitFor(OrderLateRemedyOffered, id);
    const [fee] = await h.events.waitFor(OrderCompensated, id);
    expect(fee!.data).toMatchObject({ kind: 'refund_delivery_fee', minutesLate: 90 });
    const done = await delivered(h, id);
    expect(done.payment).toMatchObject({ status: 'captured', captured: { amountMinor: 2297 - 499 } });

    const res = await api(h, await h.issuer.customer('C1')).post<View>(`/v1/orders/${id}/late-remedy`, {
      choice: 'redelivery',
    });
    expect(res.status).toBe(200);
    const both = await h.events.waitFor(OrderCompensated, id, 2);
    expect(both[1]!.data).toMatchObject({
      kind: 'redelivery',
      amount: { amountMinor: 0 },
      coupon: { couponId: `late-redelivery-${id}`, value: { amountMinor: 500, currency: 'EUR' } },
    });
    expect((await h.order(id)).payment.refunded).toBeUndefined();
    expect(h.events.of(OrderLateRemedyOffered, id)).toHaveLength(1);
  });

  it('ops marks a delivery late (audited); a report not later than the last changes nothing; bad input is refused', async () => {
    const id = await deliveryOrder(h, { method: 'cod' });
    const ops = api(h, await h.issuer.ops('ops-3'));
    expect((await ops.post(`/v1/orders/${id}/late`, { minutesLate: 0 })).status).toBe(400);
    expect((await ops.post(`/v1/orders/${id}/late`, { minutesLate: '70' })).status).toBe(400);
    expect(
      (await api(h, await h.issuer.customer('C1')).post(`/v1/orders/${id}/late`, { minutesLate: 70 })).status,
    ).toBe(403);
    const res = await ops.post<View>(`/v1/orders/${id}/late`, { minutesLate: 70 });
    expect(res.status).toBe(200);
    expect(res.body.late?.minutesLate).toBe(70);
    expect((await ops.post(`/v1/orders/${id}/late`, { minutesLate: 30 })).status).toBe(200);
    // cash on delivery: the first tier is a goodwill coupon for the customer's wallet
    const [first] = await h.events.waitFor(OrderCompensated, id);
    expect(first!.data).toMatchObject({
      kind: 'coupon',
      amount: { amountMinor: 500 },
      coupon: { couponId: `late-fee-${id}`, value: { amountMinor: 500 } },
    });
    // free order for cash on delivery: the order's value goes to the wallet
    await api(h, await h.issuer.customer('C1')).post(`/v1/orders/${id}/late-remedy`, {
      choice: 'free_order',
    });
    const both = await h.events.waitFor(OrderCompensated, id, 2);
    expect(both[1]!.data).toMatchObject({
      kind: 'free_order',
      coupon: { couponId: `late-free_order-${id}`, value: { amountMinor: 2297 } },
    });
    const audit = await ops.get<{ items: Array<{ action: string; details: { minutesLate?: number } }> }>(
      `/v1/audit?targetId=${id}`,
    );
    expect(audit.body.items.map((a) => a.action)).toEqual(['order.mark-late', 'order.mark-late']);
    expect((await ops.post(`/v1/orders/01UNKNOWNORDER/late`, { minutesLate: 70 })).status).toBe(404);
  });
});

describe('late compensation: no choice in time → the default remedy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ policy: { lateChoiceMinutes: 0 }, timings: { lateRemedySweepMs: 50 } });
  });
  afterAll(async () => h?.stop());

  it('delivered and captured, then 65 min late: fee refund, then the free order by default refunds the rest', async () => {
    const id = await deliveryOrder(h);
    await delivered(h, id);
    await late(h, id, 65);
    const both = await h.events.waitFor(OrderCompensated, id, 2);
    expect(both.map((e) => e.data.kind)).toEqual(['refund_delivery_fee', 'free_order']);
    expect(both[1]!.data).toMatchObject({ chosenBy: 'default', amount: { amountMinor: 2297 - 499 } });
    const o = await waitForOrder(h, id, (x) => !!x.late?.remedy?.compensation);
    expect(o.payment).toMatchObject({
      status: 'refunded',
      captured: { amountMinor: 2297 },
      refunded: { amountMinor: 2297 },
    });
    expect(h.payments.calls.refund).toBe(2);
    // too late to choose now
    const res = await api(h, await h.issuer.customer('C1')).post(`/v1/orders/${id}/late-remedy`, {
      choice: 'redelivery',
    });
    expect(res.status).toBe(409);
  });
});
