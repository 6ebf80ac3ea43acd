import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, seedDemo, startInventory, T, type Harness } from './harness';

const DEBOUNCE_MS = 100;
let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;

beforeAll(async () => {
  h = await startInventory({ settings: { availabilityDebounceMs: DEBOUNCE_MS } });
  events = await recordEvents(h.deps.bus, 'test-availability');
  await seedDemo(h, [
    { sku: 'TOY', locationId: 'WH1', onHand: 100 },
    { sku: 'TOY', locationId: 'S1', onHand: 50, reorderPoint: 10 },
    { sku: 'TOY', locationId: 'S3', onHand: 2 },
    { sku: 'KITE', locationId: 'S2', onHand: 4 },
  ]);
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

type Item = { sku: string; available: number; level: string };

describe('available-to-promise over HTTP', () => {
  it('is public per channel: online sums shipping and pickup locations, store is that store', async () => {
    const online = await h.anon.get<{ items: Item[] }>('/v1/availability?skus=TOY,KITE,NONE');
    expect(online.status).toBe(200);
    expect(online.body.items).toEqual([
      { sku: 'TOY', available: 152, level: 'in_stock' },
      { sku: 'KITE', available: 4, level: 'low' },
      { sku: 'NONE', available: 0, level: 'out' },
    ]);
    const phone = await h.anon.get<{ items: Item[] }>('/v1/availability?skus=TOY&channel=phone');
    expect(phone.body.items[0]!.available).toBe(152);
    const store = await h.anon
      .withToken(await h.deps.issuer.customer('c1'))
      .get<{ items: Item[] }>('/v1/availability?skus=TOY,KITE&channel=store&storeId=S3');
    expect(store.body).toMatchObject({
      channel: 'store',
      storeId: 'S3',
      items: [
        { sku: 'TOY', available: 2, level: 'low' },
        { sku: 'KITE', available: 0, level: 'out' },
      ],
    });
  });

  it('rejects bad queries', async () => {
    expect((await h.anon.get('/v1/availability?skus=TOY&channel=store')).status).toBe(400);
    expect((await h.anon.get('/v1/availability?skus=TOY&channel=store&storeId=NOPE')).status).toBe(404);
    expect((await h.anon.get('/v1/availability?skus=TOY&channel=store&storeId=WH1')).status).toBe(422);
    expect((await h.anon.get('/v1/availability?skus=bad%20sku')).status).toBe(400);
    expect((await h.anon.get('/v1/availability?skus=TOY&channel=moon')).status).toBe(400);
    expect((await h.anon.get('/v1/availability')).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `S${i}`).join(',');
    expect((await h.anon.get(`/v1/availability?skus=${many}`)).status).toBe(400);
  });

  it('finds fulfilment locations for readers of inventory', async () => {
    const query = {
      lines: [{ sku: 'TOY', qty: 3 }],
      capability: 'pickup',
      near: { lat: 52.52, lng: 13.4 },
      radiusKm: 50,
    };
    expect((await h.anon.post('/v1/fulfillment-locations', query)).status).toBe(401);
    const res = await h.orders.post<{
      items: Array<{ location: { id: string }; coversAll: boolean; available: Item[] }>;
    }>('/v1/fulfillment-locations', query);
    expect(res.body.items.map((i) => [i.location.id, i.coversAll])).toEqual([['S1', true]]);
    const far = await h.orders.post<{ items: Array<{ location: { id: string }; coversAll: boolean }> }>(
      '/v1/fulfillment-locations',
      { ...query, radiusKm: 0 },
    );
    expect(far.body.items.map((i) => [i.location.id, i.coversAll])).toEqual([
      ['S1', true],
      ['S3', false],
    ]);
    expect(
      (await h.orders.post('/v1/fulfillment-locations', { ...query, lines: [{ sku: 'TOY', qty: 0 }] }))
        .status,
    ).toBe(400);
  });
});

describe('AvailabilityChanged', () => {
  it('coalesces a burst into few events per SKU, spaced by the debounce, ending with the latest numbers', async () => {
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        h.orders.post('/v1/reservations', {
          reservationId: `toy-${i}`,
          locationId: 'S1',
          lines: [{ sku: 'TOY', qty: 1 }],
        }),
      ),
    );
    expect(burst.every((r) => r.status === 201)).toBe(true);
    await expect
      .poll(() => events.ofType(T.availabilityChanged, 'TOY').at(-1)?.data.online, { timeout: 10_000 })
      .toEqual({ available: 112, level: 'in_stock' });
    const published = events.ofType(T.availabilityChanged, 'TOY');
    expect(published.length).toBeLessThan(40);
    const versions = published.map((e) => e.data.version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    for (let i = 1; i < published.length; i++) {
      const gap = Date.parse(published[i]!.time) - Date.parse(published[i - 1]!.time);
      expect(gap).toBeGreaterThanOrEqual(DEBOUNCE_MS - 5);
    }
    expect(published.at(-1)!.data.stores).toEqual([
      { locationId: 'S1', available: 10, level: 'low' },
      { locationId: 'S3', available: 2, level: 'low' },
    ]);
    // Nothing changed since: an explicit flush publishes nothing.
    expect(await h.svc.inventory.flushAvailability()).toBe(0);
  });

  it('follows location status: a paused store shows 0 and leaves online ATP', async () => {
    const before = events.ofType(T.availabilityChanged, 'KITE').length;
    await h.ops.put('/v1/locations/S2/status', { status: 'paused' });
    await h.svc.inventory.flushAvailability();
    const after = await events.waitFor(T.availabilityChanged, before + 1, 'KITE');
    expect(after.at(-1)!.data).toMatchObject({
      online: { available: 0, level: 'out' },
      stores: [{ locationId: 'S2', available: 0, level: 'out' }],
    });
    await h.ops.put('/v1/locations/S2/status', { status: 'active' });
  });
});
