import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, key, startHarness, type Harness } from './support/harness';
import { FAKE_PRESENCE_CODE } from './support/fake-customers';

// Issue 13 item 4: a clerk could redeem any customer's points by placing an order naming them.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const counterOrder = (extra: Record<string, unknown> = {}) => ({
  channel: 'store',
  customerId: 'C1',
  lines: [{ sku: 'MUG', qty: 2 }],
  fulfilment: { method: 'pickup', storeId: 'S1' },
  payment: { method: 'card', cardToken: 'tok_visa' },
  pointsToRedeem: 300,
  ...extra,
});

async function ordersCount(): Promise<number> {
  return h.store.collection('orders').countDocuments({});
}

describe('points redeemed on an order placed by store staff', () => {
  it('without proof of the member → 403 member-presence-required; nothing written, nothing redeemed', async () => {
    const clerk = await h.issuer.staff('S1', 'clerk');
    const before = {
      orders: await ordersCount(),
      points: h.customers.points('C1'),
      redeem: h.customers.calls.redeem,
    };
    const res = await api(h, clerk).post('/v1/orders', counterOrder(), { headers: key() });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/member-presence-required' });
    expect(await ordersCount()).toBe(before.orders);
    expect(h.customers.points('C1')).toBe(before.points);
    expect(h.customers.calls.redeem).toBe(before.redeem);
  });

  it('with a card or code customers does not accept → 422 member-presence-unproven; nothing written', async () => {
    const clerk = await h.issuer.staff('S1', 'clerk');
    const before = { orders: await ordersCount(), points: h.customers.points('C1') };
    for (const memberProof of [{ memberCard: 'CARD-C2' }, { codeId: 'pc-1', code: '000000' }]) {
      const res = await api(h, clerk).post('/v1/orders', counterOrder({ memberProof }), { headers: key() });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/member-presence-unproven' });
    }
    expect(await ordersCount()).toBe(before.orders);
    expect(h.customers.points('C1')).toBe(before.points);
  });

  it('with the member card or the one-time code: placed, points redeemed, the proof recorded', async () => {
    const clerk = await h.issuer.staff('S1', 'clerk');
    for (const [memberProof, method] of [
      [{ memberCard: 'CARD-C1' }, 'member_card'],
      [{ codeId: 'pc-2', code: FAKE_PRESENCE_CODE }, 'one_time_code'],
    ] as const) {
      const before = h.customers.points('C1');
      const res = await api(h, clerk).post<{ id: string }>('/v1/orders', counterOrder({ memberProof }), {
        headers: key(),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect((await h.order(res.body.id)).points).toMatchObject({ redeemed: true, presence: method });
      expect(h.customers.points('C1')).toBe(before - 300);
    }
  });

  it("a customer's own online order needs no proof; staff orders without points need none either", async () => {
    const presenceCalls = h.customers.calls.presence;
    const own = await api(h, await h.issuer.customer('C1')).post(
      '/v1/orders',
      { ...counterOrder(), channel: 'online', customerId: undefined },
      { headers: key() },
    );
    expect(own.status).toBe(201);
    const noPoints = await api(h, await h.issuer.staff('S1', 'clerk')).post(
      '/v1/orders',
      counterOrder({ pointsToRedeem: undefined }),
      { headers: key() },
    );
    expect(noPoints.status).toBe(201);
    expect(h.customers.calls.presence).toBe(presenceCalls);
  });
});
