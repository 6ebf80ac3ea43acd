import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderConfirmed, OrderStatusChanged } from '@omni/contracts';
import { ADDRESS, api, key, startHarness, type Harness } from './support/harness';

type Placed = {
  id: string;
  status: string;
  fulfilment: { locationId: string };
  routeAttempt: number;
  route: { reason: string };
};
type Failed = { type: string; orderId: string; orderStatus: string; failure: { step: string; code: string } };

const shipCard = (sku: string, qty: number, cardToken = 'tok_visa') => ({
  lines: [{ sku, qty }],
  fulfilment: { method: 'ship', address: ADDRESS },
  payment: { method: 'card', cardToken },
});

describe('order saga: failures compensate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timings: { stepTimeoutMs: 300, maxStepAttempts: 2 } });
  });
  afterAll(async () => h?.stop());

  it('a declined card releases the reservation and refunds the points; the order fails with the reason', async () => {
    const pointsBefore = h.customers.points('C1');
    const before = h.inventory.available('W1', 'TEE');
    const res = await api(h, await h.issuer.customer('C1')).post<Failed>(
      '/v1/orders',
      { ...shipCard('TEE', 2, 'tok_decline'), pointsToRedeem: 500 },
      { headers: key() },
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      orderStatus: 'failed',
      failure: { step: 'authorize_payment', code: 'card-declined' },
    });
    expect(res.body.type).toContain('order-failed');
    const o = await h.order(res.body.orderId);
    expect(o.reservation.status).toBe('released');
    expect(o.points).toMatchObject({ redeemed: true, refunded: true });
    expect(h.customers.points('C1')).toBe(pointsBefore);
    expect(h.inventory.available('W1', 'TEE')).toBe(before);
    expect(h.inventory.reservations.get(o.reservation.reservationId)?.status).toBe('released');
    expect(h.payments.openAuthorizations()).toEqual([]);
    const changes = await h.events.waitFor(OrderStatusChanged, o._id);
    expect(changes.map((e) => e.data.to)).toEqual(['failed']);
    expect(h.events.of(OrderConfirmed, o._id)).toEqual([]);
  });

  it('a payment provider that never answers: step deadline, bounded retries, then void + release', async () => {
    const res = await api(h, await h.issuer.customer('C2')).post<Failed>(
      '/v1/orders',
      shipCard('MUG', 1, 'tok_hang'),
      { headers: key() },
    );
    expect(res.status).toBe(422);
    expect(res.body.failure).toMatchObject({ step: 'authorize_payment', code: 'timeout' });
    const o = await h.order(res.body.orderId);
    expect(o.payment.status).toBe('voided');
    expect(o.reservation.status).toBe('released');
    expect(h.payments.calls.authorize).toBeGreaterThanOrEqual(2);
  });

  it('not enough points: refused up front, or at redemption when spent meanwhile (stock released, nothing authorised)', async () => {
    const ops = await h.issuer.ops();
    const upFront = await api(h, ops).post<Failed>(
      '/v1/orders',
      {
        ...shipCard('MUG', 5),
        customerId: 'C2',
        pointsToRedeem: 4000,
        memberProof: { memberCard: 'CARD-C2' },
      },
      { headers: key() },
    );
    expect(upFront.status).toBe(422);
    expect(upFront.body.type).toContain('insufficient-points');

    const authorizations = h.payments.calls.authorize;
    h.customers.onRedeem = () => h.customers.setPoints('C2', 0);
    const res = await api(h, ops).post<Failed>(
      '/v1/orders',
      { ...shipCard('MUG', 5), customerId: 'C2', pointsToRedeem: 50, memberProof: { memberCard: 'CARD-C2' } },
      { headers: key() },
    );
    h.customers.onRedeem = undefined;
    expect(res.status).toBe(422);
    expect(res.body.failure).toMatchObject({ step: 'redeem_points', code: 'insufficient-points' });
    const o = await h.order(res.body.orderId);
    expect(o.reservation.status).toBe('released');
    expect(o.points).toMatchObject({ redeemed: false, refunded: false });
    expect(h.customers.calls.refund).toBe(1); // only the declined-card order's refund above
    expect(h.payments.calls.authorize).toBe(authorizations);
  });
});

describe('order saga: transient failures are retried', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timings: { maxStepAttempts: 4 } });
  });
  afterAll(async () => h?.stop());

  it('retries the payment provider with the same key until it answers', async () => {
    const rolls = [0.1, 0.1, 0.9];
    h.payments.configure({ failureRate: 0.5, random: () => rolls.shift() ?? 0.9 });
    const res = await api(h, await h.issuer.customer('C1')).post<Placed>('/v1/orders', shipCard('TEE', 1), {
      headers: key(),
    });
    h.payments.configure({ failureRate: 0 });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('confirmed');
    expect(h.payments.calls.authorize).toBe(3);
    expect(h.payments.authorization(`${res.body.id}:auth`)?.status).toBe('authorized');
  });

  it('retries inventory while it is unavailable', async () => {
    h.inventory.failNextReserves = 2;
    const res = await api(h, await h.issuer.customer('C1')).post<Placed>('/v1/orders', shipCard('MUG', 1), {
      headers: key(),
    });
    expect(res.status).toBe(201);
    expect(h.inventory.failNextReserves).toBe(0);
  });

  it('stock sold elsewhere between routing and reserving: the saga moves to the next location and says why', async () => {
    let stolen = false;
    h.inventory.onReserve = (req) => {
      if (!stolen && req.locationId === 'S1') {
        stolen = true;
        h.inventory.setStock('S1', 'TEE', 0);
      }
    };
    const res = await api(h, await h.issuer.customer('C1')).post<Placed>(
      '/v1/orders',
      {
        lines: [{ sku: 'TEE', qty: 1 }],
        fulfilment: { method: 'delivery', address: ADDRESS },
        payment: { method: 'card', cardToken: 'tok_visa' },
      },
      { headers: key() },
    );
    h.inventory.onReserve = undefined;
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      fulfilment: { locationId: 'S2' },
      routeAttempt: 1,
    });
    expect(res.body.route.reason).toContain('fastest store of zone Z-CENTER');
    const o = await h.order(res.body.id);
    expect(o.triedLocationIds).toEqual(['S1']);
    expect(o.routeHistory.map((r) => r.locationId)).toEqual(['S1', 'S2']);
    const [confirmed] = await h.events.waitFor(OrderConfirmed, o._id);
    expect(confirmed!.data).toMatchObject({ reservationId: `${o._id}-r1`, fulfilment: { locationId: 'S2' } });
  });
});

describe('order saga: concurrency on a scarce SKU', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.inventory.setStock('W1', 'RARE', 20);
  });
  afterAll(async () => h?.stop());

  it('200 parallel orders: exactly as many confirmed as there is stock, the rest cleanly refused with a reason', async () => {
    const token = await h.issuer.ops();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api(h, token).post<Placed & Failed & { detail: string }>(
          '/v1/orders',
          { ...shipCard('RARE', 1), customerId: i % 2 ? 'C1' : 'C2' },
          { headers: key(`rare-${i}`) },
        ),
      ),
    );
    const confirmed = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(confirmed.length).toBe(20);
    expect(refused.length).toBe(180);
    for (const r of refused) {
      expect(r.body.type).toMatch(/no-location|order-failed/);
      expect(r.body.detail).toBeTruthy();
    }
    expect(h.inventory.available('W1', 'RARE')).toBe(0);
    // every reserved unit belongs to a confirmed order; failed orders left nothing behind
    const confirmedIds = new Set(confirmed.map((r) => r.body.id));
    expect(h.inventory.reservedTotal()).toBe(h.inventory.activeUnits());
    expect(
      h.inventory.activeUnits(
        (r) => r.orderId !== '' && !confirmedIds.has(r.orderId) && r.lines[0]?.sku === 'RARE',
      ),
    ).toBe(0);
    const failedOrders = await h.store.collection('orders').find({ status: 'failed' });
    for (const o of failedOrders) expect(o.failure).toMatchObject({ code: 'insufficient-stock' });
    expect(
      h.payments.openAuthorizations().filter((a) => !confirmedIds.has(a.key.replace(':auth', ''))),
    ).toEqual([]);
  });
});
