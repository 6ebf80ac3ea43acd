import { createGrpcClient } from '@omni/kit';
import { catalog, common } from '@omni/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eur, productBody, recordEvents, startCatalog, type Harness } from './harness';

let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;

beforeAll(async () => {
  h = await startCatalog();
  events = await recordEvents(h.deps.bus, 'test-concurrency');
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

type Money = { amountMinor: number; currency: string };

describe('concurrent changes to one product', () => {
  it('N parallel price updates all apply: version = 1 + N, one event and one audit entry each, an unbroken price chain', async () => {
    await h.ops.post('/v1/products', productBody('hot'));
    await h.ops.post('/v1/products/hot/publish'); // version 2
    const N = 300;
    const token = await h.deps.issuer.service('orders', 'catalog:read');
    const orders = createGrpcClient(catalog.CatalogServiceService, h.svc.grpcAddress, { token: () => token });
    const written = new Set([1999]);
    for (let i = 0; i < N; i++) written.add(5000 + i);

    const [results, reads] = await Promise.all([
      Promise.all(Array.from({ length: N }, (_, i) => h.ops.put('/v1/products/hot/skus/hot-S/prices/online', { price: eur(5000 + i) }))),
      // Checkout reads while prices move: always a price someone set, never a torn or missing one.
      Promise.all(Array.from({ length: 100 }, () => orders.getSkus({ skus: ['hot-S'], channel: common.Channel.CHANNEL_ONLINE, storeId: '' }))),
    ]);
    orders.close();
    expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
    for (const r of reads) {
      expect(r.items[0]?.sellable).toBe(true);
      expect(written.has(r.items[0]!.price!.amountMinor)).toBe(true);
    }

    const product = await h.anon.get<{ version: number; skus: Array<{ sku: string; prices: { online: Money } }> }>('/v1/products/hot');
    expect(product.body.version).toBe(2 + N);
    // Versions handed out are exactly 3..N+2, each once.
    expect(results.map((r) => (r.body as { version: number }).version).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 3));

    const changes = (await events.waitFor('price-changed', 4 + N, 'hot')).filter((e) => e.data.sku === 'hot-S' && e.data.channel === 'online');
    expect(changes).toHaveLength(1 + N);
    // Events of one product are ordered on its key: each change starts from the previous one's price.
    for (let i = 1; i < changes.length; i++) expect(changes[i]!.data.previous).toEqual(changes[i - 1]!.data.price);
    expect(changes.at(-1)!.data.price).toEqual(product.body.skus[0]!.prices.online);
    const audit = await h.svc.audit.query({ targetId: 'hot-S', action: 'catalog.price.set' }, { limit: 1000 });
    expect(audit.items).toHaveLength(N);
  });

  it('parallel updates with the same expected version: exactly one wins, the rest get 409', async () => {
    const { version } = (await h.ops.get<{ version: number }>('/v1/products/hot')).body;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        h.ops.put('/v1/products/hot/skus/hot-M/prices/online', { price: eur(7000 + i) }, { headers: { 'if-match': `"${version}"` } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(99);
    expect((await h.ops.get<{ version: number }>('/v1/products/hot')).body.version).toBe(version + 1);
  });

  it('parallel publish/unpublish toggles: version and events count the successful transitions', async () => {
    await h.ops.post('/v1/products', productBody('flip'));
    const calls = Array.from({ length: 200 }, (_, i) => h.ops.post(`/v1/products/flip/${i % 2 === 0 ? 'publish' : 'unpublish'}`));
    const results = await Promise.all(calls);
    const ok = results.filter((r) => r.status === 200);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const final = (await h.ops.get<{ version: number; status: string }>('/v1/products/flip')).body;
    expect(final.version).toBe(1 + ok.length);
    const published = ok.filter((r) => (r.body as { status: string }).status === 'published').length;
    const unpublished = ok.length - published;
    // Transitions alternate starting from draft, so publishes lead by one exactly when it ends published.
    expect(published - unpublished).toBe(final.status === 'published' ? 1 : 0);
    await events.waitFor('published', published, 'flip');
    await events.waitFor('unpublished', unpublished, 'flip');
    await h.svc.events.flush();
    expect(events.ofType('published', 'flip')).toHaveLength(published);
    expect(events.ofType('unpublished', 'flip')).toHaveLength(unpublished);
  });

  it('a mixed storm (prices, overrides, listings, content, publication) keeps version = 1 + successful changes', async () => {
    await h.ops.post('/v1/products', productBody('storm'));
    const requests = [
      ...Array.from({ length: 60 }, (_, i) => () => h.ops.put('/v1/products/storm/skus/storm-S/prices/online', { price: eur(100 + i) })),
      ...Array.from({ length: 60 }, (_, i) => () => h.ops.put(`/v1/products/storm/skus/storm-M/store-prices/S${i}`, { price: eur(200 + i) })),
      ...Array.from({ length: 40 }, (_, i) => () => h.ops.patch('/v1/products/storm', { name: `Storm ${i}` })),
      ...Array.from({ length: 20 }, (_, i) => () => h.ops.put('/v1/products/storm/skus/storm-S/listing', { channels: i % 2 ? ['online'] : ['online', 'store'] })),
      ...Array.from({ length: 20 }, (_, i) => () => h.ops.post(`/v1/products/storm/${i % 2 === 0 ? 'publish' : 'unpublish'}`)),
    ];
    const results = await Promise.all(requests.map((r) => r()));
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    // Unchanged-content requests (same name, same listing) are 200 but write nothing: count real changes by version bumps.
    const versions = new Set(results.filter((r) => r.status === 200).map((r) => (r.body as { version: number }).version));
    const final = (await h.ops.get<{ version: number; skus: Array<{ storePrices: unknown[] }> }>('/v1/products/storm')).body;
    expect(final.version).toBe(1 + versions.size - (versions.has(1) ? 1 : 0));
    expect([...versions].filter((v) => v > 1).sort((a, b) => a - b)).toEqual(Array.from({ length: final.version - 1 }, (_, i) => i + 2));
    expect(final.skus[1]!.storePrices).toHaveLength(60);
  });
});
