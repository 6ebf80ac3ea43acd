import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import { eur, productBody, recordEvents, startCatalog, type Harness } from './harness';

let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;

beforeAll(async () => {
  h = await startCatalog();
  events = await recordEvents(h.deps.bus, 'test-products');
  await h.ops.post('/v1/categories', { id: 'apparel', name: 'Apparel' });
  await h.ops.post('/v1/categories', { id: 'shirts', name: 'Shirts', parentId: 'apparel' });
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

type Body = Record<string, unknown>;
type SkuOut = { sku: string; price: { amountMinor: number } | null; sellable: boolean; reason?: string };

describe('products: create, read, update', () => {
  it('creates a draft (201, Location, ETag) that storefronts cannot see until published', async () => {
    const res = await h.ops.post('/v1/products', productBody('tee', { name: 'Basic Tee', categoryIds: ['shirts'] }));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/v1/products/tee');
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({ id: 'tee', status: 'draft', version: 1, categoryIds: ['shirts'] });

    expect((await h.anon.get('/v1/products/tee')).status).toBe(404);
    expect((await h.ops.get('/v1/products/tee')).status).toBe(200);
    const list = await h.anon.get<{ items: Body[] }>('/v1/products');
    expect(list.body.items.map((p) => p.id)).not.toContain('tee');

    const published = await h.ops.post('/v1/products/tee/publish', { version: 1 });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', version: 2 });

    const detail = await h.anon.get<Body & { skus: SkuOut[] }>('/v1/products/tee');
    expect(detail.status).toBe(200);
    expect(detail.body.skus.map((s) => [s.sku, s.price?.amountMinor, s.sellable])).toEqual([
      ['tee-S', 1999, true],
      ['tee-M', 2099, true],
    ]);
    const inStore = await h.customer.get<Body & { skus: SkuOut[] }>('/v1/products/tee?channel=store&storeId=S1');
    expect(inStore.body.skus[0]?.price?.amountMinor).toBe(2199);
    const listed = await h.anon.get<{ items: Body[] }>('/v1/products?categoryId=apparel');
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: 'tee', name: 'Basic Tee', priceFrom: eur(1999), availability: 'out', skuCount: 2 }),
    ]);
  });

  it('unpublishing hides the product again', async () => {
    await h.ops.post('/v1/products', productBody('cap'));
    expect((await h.ops.post('/v1/products/cap/publish')).status).toBe(200);
    expect((await h.ops.post('/v1/products/cap/publish')).status).toBe(409);
    expect((await h.anon.get('/v1/products/cap')).status).toBe(200);
    const res = await h.ops.post('/v1/products/cap/unpublish');
    expect(res.body).toMatchObject({ status: 'draft', version: 3 });
    expect((await h.anon.get('/v1/products/cap')).status).toBe(404);
    expect((await h.ops.post('/v1/products/cap/unpublish')).status).toBe(409);
    const drafts = await h.ops.get<{ items: Body[] }>('/v1/products?status=draft');
    expect(drafts.body.items.map((p) => p.id)).toContain('cap');
  });

  it('updates content with optimistic concurrency: body version or If-Match, 409 on mismatch', async () => {
    await h.ops.post('/v1/products', productBody('sock'));
    const ok = await h.ops.patch('/v1/products/sock', { version: 1, name: 'Wool Sock', categoryIds: ['apparel'] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: 'Wool Sock', version: 2, categoryIds: ['apparel'] });
    const stale = await h.ops.patch('/v1/products/sock', { version: 1, name: 'Cotton Sock' });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({ type: 'https://omni.dev/problems/version-conflict', currentVersion: 2 });
    const staleHeader = await h.ops.patch('/v1/products/sock', { name: 'Cotton Sock' }, { headers: { 'if-match': '"1"' } });
    expect(staleHeader.status).toBe(409);
    const viaHeader = await h.ops.patch('/v1/products/sock', { name: 'Cotton Sock' }, { headers: { 'if-match': '"2"' } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('etag')).toBe('"3"');
    const noop = await h.ops.patch('/v1/products/sock', { name: 'Cotton Sock' });
    expect(noop.body).toMatchObject({ version: 3 });
    expect((await h.ops.patch('/v1/products/nope', { name: 'x' })).status).toBe(404);
    const unknownCategory = await h.ops.patch('/v1/products/sock', { categoryIds: ['ghost'] });
    expect(unknownCategory.status).toBe(422);
    expect((await h.ops.get('/v1/products/sock')).body).toMatchObject({ categoryIds: ['apparel'], version: 3 });
  });

  it('adds and edits SKUs; SKU codes are unique across the catalog', async () => {
    await h.ops.post('/v1/products', productBody('scarf'));
    const added = await h.ops.post('/v1/products/scarf/skus', { sku: 'scarf-L', prices: { online: eur(2500) }, listing: { channels: ['online'] } });
    expect(added.status).toBe(201);
    expect((added.body as { skus: SkuOut[] }).skus.map((s) => s.sku)).toEqual(['scarf-S', 'scarf-M', 'scarf-L']);
    const taken = await h.ops.post('/v1/products/scarf/skus', { sku: 'tee-S' });
    expect(taken).toMatchObject({ status: 409, body: { type: 'https://omni.dev/problems/sku-exists' } });
    const dupProduct = await h.ops.post('/v1/products', productBody('scarf2', { skus: [{ sku: 'tee-M' }] }));
    expect(dupProduct).toMatchObject({ status: 409, body: { skus: ['tee-M'] } });
    const edited = await h.ops.patch('/v1/products/scarf/skus/scarf-L', { barcode: '96385074', attributes: { size: 'L' } });
    expect(edited.status).toBe(200);
    const badBarcode = await h.ops.patch('/v1/products/scarf/skus/scarf-L', { barcode: '96385075' });
    expect(badBarcode.status).toBe(400);
    expect(badBarcode.body.errors).toEqual([{ field: 'body/barcode', message: 'check digit must be 4' }]);
    expect((await h.ops.patch('/v1/products/scarf/skus/nope', { attributes: {} })).status).toBe(422);
  });
});

describe('products: retries and docs', () => {
  it('a retried create with the same Idempotency-Key returns the first response and creates once', async () => {
    const headers = { 'idempotency-key': 'create-lamp-1' };
    const [a, b] = await Promise.all([h.ops.post('/v1/products', productBody('idem'), { headers }), h.ops.post('/v1/products', productBody('idem'), { headers })]);
    // Concurrent duplicates: one runs, the other is replayed (201) or told it is in progress (409).
    expect([a.status, b.status]).toContain(201);
    expect([a.status, b.status].every((s) => s === 201 || s === 409)).toBe(true);
    const replay = await h.ops.post('/v1/products', productBody('idem'), { headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await h.svc.store.collection('products').countDocuments({ _id: 'idem' })).toBe(1);
  });

  it('documents the routes in OpenAPI, writes marked as secured', async () => {
    const spec = await h.anon.get<{ paths: Record<string, Record<string, { security?: unknown }>> }>('/docs/json');
    expect(spec.status).toBe(200);
    expect(spec.body.paths['/v1/products/{productId}/skus/{sku}/prices/{channel}']?.put?.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.body.paths['/v1/products']?.get?.security).toBeUndefined();
  });
});

describe('products: delete', () => {
  it('deletes drafts only, freeing the SKU codes', async () => {
    await h.ops.post('/v1/products', productBody('tmp'));
    await h.ops.post('/v1/products/tmp/publish');
    expect((await h.ops.delete('/v1/products/tmp')).status).toBe(409);
    await h.ops.post('/v1/products/tmp/unpublish');
    expect((await h.ops.delete('/v1/products/tmp', { headers: { 'if-match': '"1"' } })).status).toBe(409);
    expect((await h.customer.delete('/v1/products/tmp')).status).toBe(403);
    expect((await h.ops.delete('/v1/products/tmp', { headers: { 'if-match': '"3"' } })).status).toBe(204);
    expect((await h.ops.get('/v1/products/tmp')).status).toBe(404);
    expect((await h.ops.delete('/v1/products/tmp')).status).toBe(404);
    expect((await h.ops.post('/v1/products', productBody('tmp2', { skus: [{ sku: 'tmp-S' }] }))).status).toBe(201);
    expect((await events.waitFor('deleted', 1, 'tmp'))[0]?.data).toEqual({ productId: 'tmp', skus: ['tmp-S', 'tmp-M'] });
  });
});

describe('products: bad input is a problem and writes nothing', () => {
  it('rejects floats, negative prices, unknown currencies, bad barcodes and extra fields, all listed', async () => {
    const before = await h.svc.store.collection('products').countDocuments({});
    const res = await h.ops.post('/v1/products', {
      id: 'bad',
      name: 'Bad',
      extra: 1,
      skus: [
        { sku: 'bad-1', prices: { online: { amountMinor: 12.5, currency: 'EUR' } } },
        { sku: 'bad-2', prices: { online: { amountMinor: -1, currency: 'EUR' } } },
        { sku: 'bad-3', prices: { online: { amountMinor: 100, currency: 'eur' } } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body/extra', 'body/skus/0/prices/online/amountMinor', 'body/skus/1/prices/online/amountMinor', 'body/skus/2/prices/online/currency']),
    );
    const domain = await h.ops.post('/v1/products', {
      name: 'Bad',
      skus: [{ sku: 'bad-4', barcode: '4006381333932', prices: { online: eur(1), store: { amountMinor: 1, currency: 'XYZ' } } }],
    });
    expect(domain.status).toBe(400);
    expect((domain.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(['body/skus/0/barcode', 'body/skus/0/prices/store/currency']);
    const unpriced = await h.ops.post('/v1/products', { name: 'Bad', skus: [{ sku: 'bad-5', listing: { channels: ['online'] } }] });
    expect(unpriced).toMatchObject({ status: 422, body: { type: 'https://omni.dev/problems/price-required' } });
    const badImage = await h.ops.post('/v1/products', { name: 'Bad', images: ['javascript:alert(1)'], skus: [{ sku: 'bad-6' }] });
    expect(badImage.status).toBe(400);
    const noSkus = await h.ops.post('/v1/products', { name: 'Bad', skus: [] });
    expect(noSkus.status).toBe(400);
    expect(await h.svc.store.collection('products').countDocuments({})).toBe(before);
    expect(await h.svc.store.collection('products').countDocuments({ skuIds: { $in: ['bad-1', 'bad-4', 'bad-5', 'bad-6'] } })).toBe(0);
  });

  it('rejects a bad price update with nothing changed', async () => {
    await h.ops.post('/v1/products', productBody('belt'));
    const float = await h.ops.put('/v1/products/belt/skus/belt-S/prices/online', { price: { amountMinor: 10.01, currency: 'EUR' } });
    expect(float.status).toBe(400);
    const negative = await h.ops.put('/v1/products/belt/skus/belt-S/prices/online', { price: { amountMinor: -5, currency: 'EUR' } });
    expect(negative.status).toBe(400);
    const currency = await h.ops.put('/v1/products/belt/skus/belt-S/prices/online', { price: { amountMinor: 5, currency: 'EURO' } });
    expect(currency.status).toBe(400);
    const badChannel = await h.ops.put('/v1/products/belt/skus/belt-S/prices/web', { price: eur(5) });
    expect(badChannel.status).toBe(400);
    expect((await h.ops.get('/v1/products/belt')).body).toMatchObject({ version: 1 });
  });
});

describe('products: authentication and permissions', () => {
  it('401 without a token on writes, 403 for customers, staff and riders; public reads need none', async () => {
    const body = productBody('auth-1');
    expect((await h.anon.post('/v1/products', body)).status).toBe(401);
    expect((await h.customer.post('/v1/products', body)).status).toBe(403);
    const staff = client(h.svc.url, await h.deps.issuer.staff('S1', 'manager'));
    expect((await staff.post('/v1/products', body)).status).toBe(403);
    expect((await staff.put('/v1/products/tee/skus/tee-S/prices/online', { price: eur(1) })).status).toBe(403);
    const rider = client(h.svc.url, await h.deps.issuer.rider('R1'));
    expect((await rider.post('/v1/products/tee/unpublish')).status).toBe(403);
    expect((await h.customer.get('/v1/products?status=draft')).status).toBe(403);
    expect((await h.anon.get('/v1/products?status=all')).status).toBe(401);
    expect((await h.anon.post('/v1/categories', { name: 'x' })).status).toBe(401);
    const writer = client(h.svc.url, await h.deps.issuer.service('merch-tool', 'catalog:write'));
    // A catalog writer that is not ops keeps price parity (store = online): see parity-limits.http.test.ts.
    const sameEverywhere = { ...body, skus: body.skus.map((s) => ({ ...s, prices: { online: s.prices?.online, store: s.prices?.online } })) };
    expect((await writer.post('/v1/products', sameEverywhere)).status).toBe(201);
    expect((await h.anon.get('/v1/products')).status).toBe(200);
    expect((await h.anon.get('/v1/categories')).status).toBe(200);
  });
});

describe('prices: channels and store overrides, audited', () => {
  it('sets a store override that applies at that store only, and removes it', async () => {
    await h.ops.post('/v1/products', productBody('mug'));
    await h.ops.post('/v1/products/mug/publish');
    const set = await h.ops.put('/v1/products/mug/skus/mug-S/store-prices/S7', { price: eur(1799) });
    expect(set.status).toBe(200);
    const atS7 = await h.anon.get<{ skus: SkuOut[] }>('/v1/products/mug?channel=store&storeId=S7');
    expect(atS7.body.skus[0]?.price?.amountMinor).toBe(1799);
    const atS8 = await h.anon.get<{ skus: SkuOut[] }>('/v1/products/mug?channel=store&storeId=S8');
    expect(atS8.body.skus[0]?.price?.amountMinor).toBe(2199);
    const online = await h.anon.get<{ skus: SkuOut[] }>('/v1/products/mug?channel=online&storeId=S7');
    expect(online.body.skus[0]?.price?.amountMinor).toBe(1999);
    // A price tool bound to store S8 sets S8's prices only.
    const s8tool = client(
      h.svc.url,
      await h.deps.issuer.sign({ role: 'service', sub: 'svc-s8', scope: 'catalog:write', stores: { S8: 'manager' } }),
    );
    expect((await s8tool.put('/v1/products/mug/skus/mug-S/store-prices/S7', { price: eur(1) })).status).toBe(403);
    expect((await s8tool.delete('/v1/products/mug/skus/mug-S/store-prices/S7')).status).toBe(403);
    const still = await h.anon.get<{ skus: SkuOut[] }>('/v1/products/mug?channel=store&storeId=S7');
    expect(still.body.skus[0]?.price?.amountMinor).toBe(1799);
    const removed = await h.ops.delete('/v1/products/mug/skus/mug-S/store-prices/S7');
    expect(removed.status).toBe(200);
    const after = await h.anon.get<{ skus: SkuOut[] }>('/v1/products/mug?channel=store&storeId=S7');
    expect(after.body.skus[0]?.price?.amountMinor).toBe(2199);
  });

  it('records who changed which price from what to what', async () => {
    await h.ops.put('/v1/products/mug/skus/mug-M/prices/online', { price: eur(1899) });
    const page = await h.svc.audit.query({ targetId: 'mug-M', action: 'catalog.price.set' }, { limit: 10 });
    expect(page.items[0]).toMatchObject({
      actor: { sub: 'ops-1', role: 'ops' },
      details: { productId: 'mug', channel: 'online', previous: eur(2099), price: eur(1899) },
    });
  });

  it('restricts the store channel to listed stores', async () => {
    await h.ops.post('/v1/products', productBody('vase'));
    await h.ops.put('/v1/products/vase/skus/vase-S/listing', { channels: ['online', 'store'], stores: ['S1'] });
    await h.ops.put('/v1/products/vase/skus/vase-M/listing', { channels: ['online'] });
    await h.ops.post('/v1/products/vase/publish');
    const s2 = await h.anon.get<{ skus: SkuOut[] }>('/v1/products/vase?channel=store&storeId=S2');
    expect(s2.body.skus.map((s) => [s.sellable, s.reason])).toEqual([
      [false, 'not-listed'],
      [false, 'not-listed'],
    ]);
    const listS2 = await h.anon.get<{ items: Body[] }>('/v1/products?channel=store&storeId=S2');
    expect(listS2.body.items.map((p) => p.id)).not.toContain('vase');
    const listS1 = await h.anon.get<{ items: Body[] }>('/v1/products?channel=store&storeId=S1');
    expect(listS1.body.items.map((p) => p.id)).toContain('vase');
    const rest = await h.anon.get<{ items: Array<{ sku: string; sellable: boolean }> }>('/v1/skus?ids=vase-S,vase-M,ghost&channel=store&storeId=S1');
    expect(rest.body.items.map((i) => [i.sku, i.sellable])).toEqual([
      ['vase-S', true],
      ['vase-M', false],
      ['ghost', false],
    ]);
  });
});

describe('categories', () => {
  it('builds a tree, refuses cycles and deleting used categories', async () => {
    expect((await h.ops.post('/v1/categories', { id: 'tees', name: 'Tees', parentId: 'shirts' })).status).toBe(201);
    expect((await h.ops.post('/v1/categories', { id: 'tees', name: 'Tees' })).status).toBe(409);
    expect((await h.ops.post('/v1/categories', { name: 'Orphan', parentId: 'ghost' })).status).toBe(422);
    const cycle = await h.ops.patch('/v1/categories/apparel', { parentId: 'tees' });
    expect(cycle).toMatchObject({ status: 422, body: { type: 'https://omni.dev/problems/category-cycle' } });
    const detail = await h.anon.get<{ path: Body[]; children: Body[] }>('/v1/categories/shirts');
    expect(detail.body.path.map((c) => c.id)).toEqual(['apparel', 'shirts']);
    expect(detail.body.children.map((c) => c.id)).toEqual(['tees']);
    const roots = await h.anon.get<{ items: Body[] }>('/v1/categories?roots=true');
    expect(roots.body.items.map((c) => c.id)).toEqual(['apparel']);
    expect((await h.ops.delete('/v1/categories/shirts')).status).toBe(409); // has children
    expect((await h.ops.delete('/v1/categories/apparel')).status).toBe(409);
    const moved = await h.ops.patch('/v1/categories/tees', { parentId: null, version: 1 });
    expect(moved.body).toMatchObject({ parentId: null, version: 2 });
    expect((await h.ops.patch('/v1/categories/tees', { name: 'T', version: 1 })).status).toBe(409);
    expect((await h.ops.delete('/v1/categories/tees')).status).toBe(204);
    expect((await h.anon.get('/v1/categories/tees')).status).toBe(404);
    const byCategory = await h.anon.get<{ items: Body[] }>('/v1/categories/apparel/products');
    expect(byCategory.body.items.map((p) => p.id)).toEqual(['tee']);
    expect((await h.anon.get('/v1/categories/ghost/products')).status).toBe(404);
  });
});

describe('events', () => {
  it('emits created, price-changed, published, updated and unpublished events keyed by product', async () => {
    const created = await events.waitFor('created', 1, 'cap');
    expect(created[0]).toMatchObject({
      source: '/omni/catalog',
      data: { productId: 'cap', name: 'Product cap', skus: [{ sku: 'cap-S', barcode: '4006381333931', attributes: { size: 'S' } }, { sku: 'cap-M', attributes: { size: 'M' } }] },
    });
    expect((await events.waitFor('price-changed', 4, 'cap')).map((e) => e.data)).toEqual(
      expect.arrayContaining([{ productId: 'cap', sku: 'cap-S', channel: 'online', price: eur(1999) }]),
    );
    expect((await events.waitFor('published', 1, 'cap'))[0]?.data).toEqual({ productId: 'cap', skus: ['cap-S', 'cap-M'], channels: ['online', 'store'] });
    expect((await events.waitFor('unpublished', 1, 'cap'))[0]?.data).toEqual({ productId: 'cap', skus: ['cap-S', 'cap-M'] });
    const updated = await events.waitFor('updated', 2, 'sock');
    expect(updated.map((e) => e.data.changed)).toEqual([['name', 'categoryIds'], ['name']]);
    const override = await events.waitFor('price-changed', 7, 'mug');
    expect(override.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { productId: 'mug', sku: 'mug-S', channel: 'store', storeId: 'S7', price: eur(1799), previous: eur(2199) },
        { productId: 'mug', sku: 'mug-S', channel: 'store', storeId: 'S7', price: eur(2199), previous: eur(1799) },
        { productId: 'mug', sku: 'mug-M', channel: 'online', price: eur(1899), previous: eur(2099) },
      ]),
    );
    // Rejected writes emitted nothing.
    expect(events.events.filter((e) => e.subject === 'bad' || e.data.productId === 'bad')).toEqual([]);
    expect(events.ofType('price-changed', 'belt')).toHaveLength(4);
  });
});
