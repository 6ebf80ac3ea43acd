import { createGrpcClient, type AppError } from '@omni/kit';
import { catalog, common } from '@omni/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eur, productBody, startCatalog, type Harness } from './harness';

let h: Harness;
let orders: ReturnType<typeof createGrpcClient<typeof catalog.CatalogServiceService>>;

beforeAll(async () => {
  h = await startCatalog();
  // The orders service's token: a service client granted catalog:read.
  const token = await h.deps.issuer.service('orders', 'catalog:read inventory:reserve');
  orders = createGrpcClient(catalog.CatalogServiceService, h.svc.grpcAddress, { token: () => token });
  await h.ops.post('/v1/products', productBody('lamp'));
  await h.ops.post('/v1/products/lamp/publish');
  await h.ops.put('/v1/products/lamp/skus/lamp-S/store-prices/S1', { price: eur(1500) });
  await h.ops.put('/v1/products/lamp/skus/lamp-M/listing', { channels: ['online'] });
  await h.ops.post('/v1/products', productBody('desk'));
});
afterAll(async () => {
  orders?.close();
  await h?.stop();
});

const ONLINE = common.Channel.CHANNEL_ONLINE;
const STORE = common.Channel.CHANNEL_STORE;

describe('gRPC CatalogService.GetSkus', () => {
  it('answers every requested SKU in order: sellable with price, or why not', async () => {
    const res = await orders.getSkus({ skus: ['lamp-S', 'lamp-M', 'desk-S', 'ghost', 'lamp-S'], channel: ONLINE, storeId: '' });
    expect(res.items).toEqual([
      { sku: 'lamp-S', productId: 'lamp', name: 'Product lamp', sellable: true, price: eur(1999), reason: '', kind: 'goods' },
      { sku: 'lamp-M', productId: 'lamp', name: 'Product lamp', sellable: true, price: eur(2099), reason: '', kind: 'goods' },
      { sku: 'desk-S', productId: 'desk', name: 'Product desk', sellable: false, price: undefined, reason: 'unpublished', kind: 'goods' },
      { sku: 'ghost', productId: '', name: '', sellable: false, price: undefined, reason: 'unknown', kind: 'goods' },
      { sku: 'lamp-S', productId: 'lamp', name: 'Product lamp', sellable: true, price: eur(1999), reason: '', kind: 'goods' },
    ]);
  });

  it('prices the store channel with the store override when store_id is given', async () => {
    const s1 = await orders.getSkus({ skus: ['lamp-S', 'lamp-M'], channel: STORE, storeId: 'S1' });
    expect(s1.items.map((i) => [i.sku, i.sellable, i.price?.amountMinor, i.reason])).toEqual([
      ['lamp-S', true, 1500, ''],
      ['lamp-M', false, undefined, 'not-listed'],
    ]);
    const s2 = await orders.getSkus({ skus: ['lamp-S'], channel: STORE, storeId: 'S2' });
    expect(s2.items[0]?.price).toEqual(eur(2199));
    const phone = await orders.getSkus({ skus: ['lamp-S'], channel: common.Channel.CHANNEL_PHONE, storeId: '' });
    expect(phone.items[0]).toMatchObject({ sellable: false, reason: 'not-listed' });
  });

  it('sees publish and unpublish at once', async () => {
    await h.ops.post('/v1/products/desk/publish');
    expect((await orders.getSkus({ skus: ['desk-S'], channel: ONLINE, storeId: '' })).items[0]).toMatchObject({ sellable: true, price: eur(1999) });
    await h.ops.post('/v1/products/desk/unpublish');
    expect((await orders.getSkus({ skus: ['desk-S'], channel: ONLINE, storeId: '' })).items[0]).toMatchObject({ sellable: false, reason: 'unpublished' });
  });

  it('requires catalog:read and a channel', async () => {
    const anonymous = createGrpcClient(catalog.CatalogServiceService, h.svc.grpcAddress);
    await expect(anonymous.getSkus({ skus: ['lamp-S'], channel: ONLINE, storeId: '' })).rejects.toMatchObject({ status: 401 });
    anonymous.close();
    const riderToken = await h.deps.issuer.rider('R1');
    const rider = createGrpcClient(catalog.CatalogServiceService, h.svc.grpcAddress, { token: () => riderToken });
    await expect(rider.getSkus({ skus: ['lamp-S'], channel: ONLINE, storeId: '' })).rejects.toMatchObject({ status: 403 });
    rider.close();
    const err = (await orders.getSkus({ skus: ['lamp-S'], channel: common.Channel.CHANNEL_UNSPECIFIED, storeId: '' }).catch((e: unknown) => e)) as AppError;
    expect(err).toMatchObject({ status: 400, slug: 'validation-failed' });
    const customerToken = await h.deps.issuer.customer('c1');
    const customer = createGrpcClient(catalog.CatalogServiceService, h.svc.grpcAddress, { token: () => customerToken });
    expect((await customer.getSkus({ skus: ['lamp-S'], channel: ONLINE, storeId: '' })).items[0]?.sellable).toBe(true);
    customer.close();
  });
});
