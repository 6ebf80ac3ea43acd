/* eslint-disable no-console -- a benchmark prints its results */
/**
 * Catalog speed on the embedded store: seed time, read paths through the use cases and over HTTP,
 * and write throughput. Run: `npx tsx services/catalog/bench/catalog.bench.ts [products]`.
 */
import { client, createTestDeps } from '@omni/testing';
import { buildCatalogService, demoCatalog, seedCatalog } from '../src';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const deps = await createTestDeps();
  const svc = buildCatalogService({ store: deps.store, bus: deps.bus, auth: deps.auth, logLevel: 'silent' });
  await svc.start();
  const seeded = await seedCatalog(svc, demoCatalog(count));
  await svc.events.flush(); // let the relay drain the seed's events before timing reads
  console.log(`seed: ${seeded.products.created} products / ${seeded.products.created * 5} SKUs in ${seeded.ms} ms`);

  const app = svc.catalog;
  const anon = client(svc.url);
  const ops = client(svc.url, await deps.issuer.ops());
  const time = async (label: string, fn: (i: number) => Promise<unknown>, n = 300): Promise<void> => {
    for (let i = 0; i < 30; i++) await fn(i);
    const started = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    console.log(`${label.padEnd(34)} ${((performance.now() - started) / n).toFixed(3)} ms/op`);
  };
  await time('use case: list first page', () => app.listProducts({ channel: 'online', status: 'published', limit: 20 }));
  await time('use case: search "red sh"', () => app.listProducts({ q: 'red sh', channel: 'online', status: 'published', limit: 20 }));
  await time('use case: category subtree "home"', () => app.listProducts({ categoryId: 'home', channel: 'online', status: 'published', limit: 20 }));
  await time('use case: product detail (store)', () => app.getProduct('p0005', { channel: 'store', storeId: 'S1' }, { includeDrafts: false }));
  await time('use case: GetSkus x10', () => app.getSkus(Array.from({ length: 10 }, (_, i) => `p${String(i * 7).padStart(4, '0')}-M`), 'online'));
  await time('HTTP: search page', () => anon.get('/v1/products?q=red%20sh'));
  await time('HTTP: product detail', () => anon.get('/v1/products/p0005?channel=store&storeId=S1'));
  await time('HTTP: price update (serial)', (i) => ops.put('/v1/products/p0001/skus/p0001-S/prices/online', { price: { amountMinor: 10_000 + i, currency: 'EUR' } }), 200);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 300 }, (_, i) => ops.put('/v1/products/p0002/skus/p0002-S/prices/online', { price: { amountMinor: 20_000 + i, currency: 'EUR' } })),
  );
  console.log(`HTTP: 300 parallel price updates    ${Math.round(performance.now() - started)} ms`);
  await svc.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
