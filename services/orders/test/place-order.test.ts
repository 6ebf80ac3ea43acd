import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderConfirmed, OrderStatusChanged, PickupStorePaused, PickupStoreResumed } from '@omni/contracts';
import { waitFor } from '@omni/testing';
import { ADDRESS, api, east, key, publish, startHarness, type Harness } from './support/harness';

let h: Harness;
let customer: string;

beforeAll(async () => {
  h = await startHarness();
  customer = await h.issuer.customer('C1');
});
afterAll(async () => h?.stop());

type OrderBody = {
  id: string;
  status: string;
  total: { amountMinor: number; currency: string };
  promise?: { kind: string; from: string; to: string };
  amountDue: { amountMinor: number };
  fulfilment: { method: string; locationId: string };
  route: { locationId: string; reason: string; candidates?: Array<{ locationId: string; skipped?: string }> };
  payment: { status: string };
  customerId?: string;
};

describe('placing an order: happy paths per fulfilment method', () => {
  it('ship: warehouse first, priced by catalog, card authorised, OrderConfirmed emitted', async () => {
    const res = await api(h, customer).post<OrderBody>(
      '/v1/orders',
      {
        lines: [
          { sku: 'TEE', qty: 2 },
          { sku: 'CAP', qty: 1 },
        ],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 'tok_visa' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/orders/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      customerId: 'C1',
      fulfilment: { method: 'ship', locationId: 'W1' },
      payment: { status: 'authorized' },
    });
    expect(res.body.total).toEqual({ amountMinor: 2 * 1999 + 1299, currency: 'EUR' });
    expect(res.body.route.reason).toContain('warehouse');
    // customers do not see which other locations had what
    expect(res.body.route.candidates).toBeUndefined();
    expect(h.inventory.available('W1', 'TEE')).toBe(48);
    const [confirmed] = await h.events.waitFor(OrderConfirmed, res.body.id);
    expect(confirmed!.data).toMatchObject({
      orderId: res.body.id,
      customerId: 'C1',
      customerName: 'Ada Lovelace',
      fulfilment: { method: 'ship', locationId: 'W1' },
      reservationId: `${res.body.id}-r0`,
      routeAttempt: 0,
      payment: { method: 'card' },
    });
    const changes = await h.events.waitFor(OrderStatusChanged, res.body.id);
    expect(changes[0]!.data).toMatchObject({ from: 'pending', to: 'confirmed' });
  });

  it('pickup at the chosen store when it has everything', async () => {
    const res = await api(h, customer).post<OrderBody>(
      '/v1/orders',
      {
        lines: [{ sku: 'MUG', qty: 1 }],
        fulfilment: { method: 'pickup', storeId: 'S2' },
        payment: { method: 'card', cardToken: 'tok_visa' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      fulfilment: { method: 'pickup', locationId: 'S2' },
    });
    expect(h.inventory.available('S2', 'MUG')).toBe(49);
  });

  it('local delivery from the zone store with the shortest trip, with the delivery fee and an ASAP promise, cash on delivery', async () => {
    const near = { ...ADDRESS, geo: east(1.5) }; // S2 (0.5 km) is nearer than S1 (1.5 km)
    const res = await api(h, customer).post<OrderBody>(
      '/v1/orders',
      {
        lines: [{ sku: 'TEE', qty: 1 }],
        fulfilment: { method: 'delivery', address: near },
        payment: { method: 'cod' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      fulfilment: { method: 'delivery', locationId: 'S2' },
      payment: { status: 'cod_due' },
    });
    expect(res.body.total.amountMinor).toBe(1999 + 499);
    expect(res.body.route.reason).toContain('fastest store of zone Z-CENTER');
    expect(res.body.promise).toMatchObject({ kind: 'asap' });
    const [confirmed] = await h.events.waitFor(OrderConfirmed, res.body.id);
    expect(confirmed!.data.payment).toEqual({
      method: 'cod',
      amountDue: { amountMinor: 2498, currency: 'EUR' },
    });
    expect(confirmed!.data.fulfilment.geo).toEqual(east(1.5));
  });

  it('staff and phone agents place for a named customer; points reduce the amount due', async () => {
    const ops = await h.issuer.ops();
    const res = await api(h, ops).post<OrderBody>(
      '/v1/orders',
      {
        channel: 'phone',
        customerId: 'C1',
        lines: [{ sku: 'MUG', qty: 2 }],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 'tok_visa' },
        pointsToRedeem: 300,
        memberProof: { memberCard: 'CARD-C1' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      customerId: 'C1',
      amountDue: { amountMinor: 2 * 899 - 300 },
    });
    expect(h.customers.points('C1')).toBe(4700);
    // ops see the routing decision in full
    expect(res.body.route.candidates?.length).toBeGreaterThan(0);
  });
});

describe('placing an order: idempotency', () => {
  it('same key → same order (no second reservation); same key, other body → 422', async () => {
    const headers = key('same');
    const body = {
      lines: [{ sku: 'TEE', qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S3' },
      payment: { method: 'card', cardToken: 'tok_visa' },
    };
    const before = h.inventory.available('S3', 'TEE');
    const results = await Promise.all(
      [1, 2, 3].map(() => api(h, customer).post<OrderBody>('/v1/orders', body, { headers })),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    // the others were told the first is still running (kit) — never a second order
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const again = await api(h, customer).post<OrderBody>('/v1/orders', body, { headers });
    expect(again.body.id).toBe(ok[0]!.body.id);
    expect(h.inventory.available('S3', 'TEE')).toBe(before - 1);
    const other = await api(h, customer).post(
      '/v1/orders',
      { ...body, lines: [{ sku: 'TEE', qty: 2 }] },
      { headers },
    );
    expect(other.status).toBe(422);
  });

  it('a retry after the kit forgot the key (crash mid-request) still lands on the same order', async () => {
    const headers = key('forgotten');
    const body = {
      lines: [{ sku: 'MUG', qty: 1 }],
      fulfilment: { method: 'ship', address: ADDRESS },
      payment: { method: 'card', cardToken: 'tok_visa' },
    };
    const first = await api(h, customer).post<OrderBody>('/v1/orders', body, { headers });
    await h.store.collection('idempotency_keys').deleteMany({});
    const second = await api(h, customer).post<OrderBody>('/v1/orders', body, { headers });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(h.inventory.reservations.has(`${first.body.id}-r1`)).toBe(false);
  });
});

describe('placing an order: refusals write nothing', () => {
  const count = () => h.store.collection('orders').countDocuments({});

  it('400 without Idempotency-Key and for bad or inconsistent bodies', async () => {
    const n = await count();
    const c = api(h, customer);
    const noKey = await c.post('/v1/orders', {
      lines: [{ sku: 'TEE', qty: 1 }],
      fulfilment: { method: 'ship', address: ADDRESS },
      payment: { method: 'card', cardToken: 't' },
    });
    expect(noKey.status).toBe(400);
    const bad = await c.post(
      '/v1/orders',
      { lines: [], fulfilment: { method: 'teleport' }, payment: { method: 'card' }, price: 1 },
      { headers: key() },
    );
    expect(bad.status).toBe(400);
    const inconsistent = await c.post<{ errors: Array<{ field: string }> }>(
      '/v1/orders',
      { lines: [{ sku: 'TEE', qty: 1 }], fulfilment: { method: 'pickup' }, payment: { method: 'cod' } },
      { headers: key() },
    );
    expect(inconsistent.status).toBe(400);
    expect(inconsistent.body.errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['body/fulfilment/storeId', 'body/payment/method']),
    );
    const tooMany = await c.post(
      '/v1/orders',
      {
        lines: Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, qty: 1 })),
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 't' },
      },
      { headers: key() },
    );
    expect(tooMany.status).toBe(400);
    expect(await count()).toBe(n);
  });

  it('422 listing unknown and unsellable lines (prices never come from the client)', async () => {
    const n = await count();
    const res = await api(h, customer).post<{ type: string; lines: Array<{ sku: string; reason: string }> }>(
      '/v1/orders',
      {
        lines: [
          { sku: 'TEE', qty: 1 },
          { sku: 'OLD', qty: 1 },
          { sku: 'NOPE', qty: 1 },
        ],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 't' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('unsellable-lines');
    expect(res.body.lines).toEqual([
      { sku: 'OLD', reason: 'unpublished' },
      { sku: 'NOPE', reason: 'unknown' },
    ]);
    expect(await count()).toBe(n);
  });

  it('pickup store without everything → 422 with the nearest store that has it; auto-switch when allowed', async () => {
    h.inventory.setStock('S3', 'CAP', 5);
    const body = {
      lines: [{ sku: 'CAP', qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S2' },
      payment: { method: 'card', cardToken: 'tok_visa' },
    };
    const refused = await api(h, customer).post<{
      type: string;
      suggestion: { locationId: string };
      detail: string;
    }>('/v1/orders', body, { headers: key() });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toContain('pickup-store-cannot-serve');
    expect(refused.body.suggestion.locationId).toBe('S3');
    const switched = await api(h, customer).post<OrderBody>(
      '/v1/orders',
      { ...body, fulfilment: { ...body.fulfilment, allowAlternativeStore: true } },
      { headers: key() },
    );
    expect(switched.status).toBe(201);
    expect(switched.body.fulfilment.locationId).toBe('S3');
    expect(switched.body.route.reason).toContain('switched');
  });

  it('delivery no single serving store can serve → 422 split not supported; customers may not order for others', async () => {
    // 3 km west: S1 and S2 serve it (they have no CAP), S3 (with CAP) is beyond the 30-min trip, and W1
    // does not deliver locally (no zone lists it)
    const res = await api(h, customer).post<{ type: string }>(
      '/v1/orders',
      {
        lines: [
          { sku: 'TEE', qty: 1 },
          { sku: 'CAP', qty: 1 },
        ],
        fulfilment: { method: 'delivery', address: { ...ADDRESS, geo: east(-3) } },
        payment: { method: 'card', cardToken: 't' },
      },
      { headers: key() },
    );
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://omni.dev/problems/split-not-supported');
    const forOther = await api(h, customer).post(
      '/v1/orders',
      {
        customerId: 'C2',
        lines: [{ sku: 'TEE', qty: 1 }],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 't' },
      },
      { headers: key() },
    );
    expect(forOther.status).toBe(403);
    const rider = await api(h, await h.issuer.rider('R1')).post(
      '/v1/orders',
      {
        lines: [{ sku: 'TEE', qty: 1 }],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: 't' },
      },
      { headers: key() },
    );
    expect(rider.status).toBe(403);
  });
});

describe('stores paused for pickup are skipped', () => {
  it('follows PickupStorePaused / Resumed', async () => {
    await publish(h.bus, PickupStorePaused, 'S1', {
      storeId: 'S1',
      reason: 'queue overdue',
      automatic: true,
    });
    await waitFor(async () => (await h.store.collection('paused_stores').findById('S1'))?.paused === true);
    const body = {
      lines: [{ sku: 'TEE', qty: 1 }],
      fulfilment: { method: 'delivery', address: ADDRESS },
      payment: { method: 'card', cardToken: 'tok_visa' },
    };
    const paused = await api(h, await h.issuer.ops()).post<OrderBody>('/v1/orders', body, { headers: key() });
    expect(paused.body.fulfilment.locationId).toBe('S2');
    expect(paused.body.route.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locationId: 'S1', skipped: 'paused for pickup: queue overdue' }),
      ]),
    );
    await publish(h.bus, PickupStoreResumed, 'S1', { storeId: 'S1', automatic: false });
    await waitFor(async () => (await h.store.collection('paused_stores').findById('S1'))?.paused === false);
    const resumed = await api(h, customer).post<OrderBody>('/v1/orders', body, { headers: key() });
    expect(resumed.body.fulfilment.locationId).toBe('S1');
  });
});
