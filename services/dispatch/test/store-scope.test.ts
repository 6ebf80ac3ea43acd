import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, waitFor } from '@omni/testing';
import { CENTER, Harness, at } from './harness';

/**
 * Issue 13 item 2: live tracking (rider name and position) and the delivery code are store-scoped
 * data; staff and store-bound clients of another store get the 404 of an unknown order.
 */
let h: Harness;
let orderId: string;
let jobId: string;

beforeAll(async () => {
  h = await Harness.start();
  await h.zone('Z1', CENTER, [
    { storeId: 'S1', geo: CENTER },
    { storeId: 'S2', geo: at(1, 1) },
  ]);
  const rider = await h.onDutyRider('R1', at(0.5, 0));
  ({ orderId, jobId } = await h.readyJob({ storeId: 'S2', destination: at(0, 2), customerId: 'C1' }));
  await waitAccepted(rider);
});
afterAll(async () => h?.stop());

async function waitAccepted(rider: Awaited<ReturnType<Harness['onDutyRider']>>) {
  await waitFor(async () => (await h.offerOf(rider)) ?? undefined, { what: 'the offer to R1' });
  const accepted = await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
  expect(accepted.status).toBe(200);
}

describe('tracking and delivery code of another store', () => {
  it('a clerk or POS client of S1 gets 404 for an S2 delivery; S2 staff and ops see it', async () => {
    const clerkS1 = await h.store('S1');
    const posS1 = client(
      h.url,
      await h.issuer.sign({
        role: 'service',
        sub: 'svc-pos-S1',
        scope: 'orders:read',
        stores: { S1: 'clerk' },
      }),
    );
    for (const api of [clerkS1, posS1]) {
      const res = await api.get(`/v1/orders/${orderId}/tracking`);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('Rider R1');
    }
    // The same answer as an order without a delivery.
    expect((await clerkS1.get('/v1/orders/no-such-order/tracking')).status).toBe(404);

    const clerkS2 = await h.store('S2');
    const mine = await clerkS2.get(`/v1/orders/${orderId}/tracking`);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ orderId, rider: { name: 'Rider R1' } });
    expect((await (await h.ops()).get(`/v1/orders/${orderId}/tracking`)).status).toBe(200);
    expect((await (await h.customer('C1')).get(`/v1/orders/${orderId}/tracking`)).status).toBe(200);
  });

  it('store-bound dispatch managers see only their stores in the ops job views', async () => {
    const managerS1 = client(
      h.url,
      await h.issuer.sign({
        role: 'service',
        sub: 'svc-ops-S1',
        scope: 'dispatch:manage',
        stores: { S1: 'clerk' },
      }),
    );
    expect((await managerS1.get(`/v1/orders/${orderId}/delivery`)).status).toBe(404);
    expect((await managerS1.get(`/v1/delivery-jobs/${encodeURIComponent(jobId)}`)).status).toBe(404);
    const list = await managerS1.get<{ items: unknown[] }>('/v1/delivery-jobs');
    expect(list.body.items).toEqual([]);
    const ops = await h.ops();
    expect((await ops.get<{ items: unknown[] }>('/v1/delivery-jobs')).body.items).toHaveLength(1);
    expect((await ops.get(`/v1/delivery-jobs/${encodeURIComponent(jobId)}`)).status).toBe(200);
  });
});
