import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@omni/testing';
import { buildOrdersService, type OrdersService } from '../src';
import type { OrderDoc } from '../src/domain/types';
import { api, key, startHarness, waitForOrder, type Harness } from './support/harness';

/**
 * The saga resume sweep on 3 replicas over one store, with more active orders than one page: the
 * sweep read find({active:true},{limit}) unsorted, so once the first page was orders leased by a
 * live replica (waiting out a long backoff), every replica re-read the same page and the rest were
 * never resumed.
 */
let h: Harness;
const replicas: OrdersService[] = [];
beforeAll(async () => {
  h = await startHarness({ timings: { resumeIntervalMs: 100 } });
}, 60_000);
afterAll(async () => {
  for (const r of replicas) await r.stop();
  await h?.stop();
});

async function place(): Promise<string> {
  const res = await api(h, await h.issuer.customer('C2')).post<{ id: string }>(
    '/v1/orders',
    {
      lines: [{ sku: 'MUG', qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S1' },
      payment: { method: 'card', cardToken: 'tok_visa' },
    },
    { headers: key() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

describe('saga resume sweep on 3 replicas', () => {
  it('resumes every resumable active order beyond the first page, and leaves leased ones to their owner', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) ids.push(await place());
    for (const id of ids) await waitForOrder(h, id, (o) => o.status === 'confirmed');
    await h.svc.stop(); // the harness's own instance: only the three replicas below sweep
    const orders = h.store.collection<OrderDoc>('orders');
    const template = await h.order(ids[0]!);
    const until = Date.now() + 3600_000;
    // More than a page (the old sweep read the first 1,000, unsorted): active orders leased by a
    // live replica elsewhere (a long backoff), stored before the ones to resume.
    const leased: string[] = [];
    for (let i = 0; i < 1_005; i++) {
      const id = `0-leased-${String(i).padStart(4, '0')}`;
      leased.push(id);
      await orders.insertOne({
        ...template,
        _id: id,
        active: true,
        lease: { owner: 'elsewhere', until, fence: 7 },
      });
    }
    // Then the resumable ones: active with no lease, as a crashed replica leaves them; re-inserted
    // so they come after the leased ones in storage order too.
    for (const id of ids) {
      const o = await h.order(id);
      await orders.deleteOne({ _id: id });
      await orders.insertOne({ ...o, active: true, lease: null });
    }
    for (let i = 0; i < 3; i++) {
      const r = buildOrdersService({ ...h.deps });
      await r.start();
      replicas.push(r);
    }
    await waitFor(
      async () => {
        const still = await orders.countDocuments({ _id: { $in: ids }, active: true });
        return still === 0 ? true : undefined;
      },
      { what: 'every resumable order resumed', timeoutMs: 10_000 },
    );
    expect(
      await orders.countDocuments({ _id: { $in: leased }, active: true, 'lease.owner': 'elsewhere' }),
    ).toBe(leased.length);
  });
});
