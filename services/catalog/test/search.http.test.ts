import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog, seedCatalog, type SeedData, type SeedReport } from '../src';
import { words } from '../src/domain/search';
import { startCatalog, type Api, type Harness } from './harness';

let h: Harness;
let data: SeedData;
let report: SeedReport;

beforeAll(async () => {
  h = await startCatalog();
  data = demoCatalog(240);
  report = await seedCatalog(h.svc, data);
  console.log(`seeded ${report.products.created} products / ${report.products.created * 5} SKUs in ${report.ms} ms`);
});
afterAll(async () => h?.stop());

type Item = { id: string; name: string; categoryIds: string[] };

/** Follows nextCursor to the end; fails on a page that is too long. */
async function all(api: Api, path: string, limit: number, startCursor: string | null = null): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = startCursor;
  for (let pages = 0; pages < 1000; pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api.get<{ items: Item[]; nextCursor: string | null }>(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('too many pages');
}

const published = () => data.products.filter((p) => p.publish !== false);
/** The reference search: every query word is a prefix of some name word (a scan, independent of the index). */
const matches = (name: string, q: string) => words(q).every((t) => words(name).some((w) => w.startsWith(t)));
const ids = (items: Array<{ id: string }>) => items.map((p) => p.id).sort();

describe('seed', () => {
  it('creates categories and products through the use cases and is idempotent', async () => {
    expect(report.categories).toEqual({ created: 9, skipped: 0 });
    expect(report.products).toEqual({ created: 240, skipped: 0, published: 216 });
    const again = await seedCatalog(h.svc, data);
    expect(again.products).toEqual({ created: 0, skipped: 240, published: 0 });
    expect(again.categories).toEqual({ created: 0, skipped: 9 });
  });

  it('demo data follows price and range parity: one price online and in every store, nothing on the parity report', async () => {
    const other = await startCatalog();
    try {
      const seeded = await seedCatalog(other.svc, demoCatalog(35));
      expect(seeded.products).toMatchObject({ created: 35, published: 32 });
      const skus = ['p0000-M', 'p0005-M', 'p0007-M'];
      const online = await other.svc.catalog.getSkus(skus, 'online');
      for (const storeId of ['S1', 'S2']) {
        const atStore = await other.svc.catalog.getSkus(skus, 'store', storeId);
        expect(atStore.map((s) => [s.sku, s.sellable, s.price?.amountMinor])).toEqual(
          online.map((s) => [s.sku, true, s.price?.amountMinor]),
        );
      }
      const report = await other.ops.get<{ items: unknown[] }>('/v1/ops/parity');
      expect(report.status).toBe(200);
      expect(report.body.items).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});

describe('storefront listing: pagination, search and category filters', () => {
  it('pages through every published product in name order without duplicates or gaps', async () => {
    const items = await all(h.anon, '/v1/products', 37);
    expect(items).toHaveLength(216);
    expect(new Set(items.map((p) => p.id)).size).toBe(216);
    expect(ids(items)).toEqual(ids(published()));
    const keys = items.map((p) => words(p.name).join(' '));
    expect(keys).toEqual([...keys].sort());
  });

  it('searches names by word prefixes, case- and accent-insensitively', async () => {
    for (const q of ['red sh', 'SHIRT', 'creme', 'Crème mu', 'oak sh', 'zzz']) {
      const expected = published().filter((p) => matches(p.name, q));
      const items = await all(h.anon, `/v1/products?q=${encodeURIComponent(q)}`, 7);
      expect(ids(items), q).toEqual(ids(expected));
      expect(new Set(items.map((p) => p.id)).size).toBe(items.length);
    }
    expect((await h.anon.get<{ items: Item[] }>('/v1/products?q=crem')).body.items.length).toBeGreaterThan(0);
  });

  it('filters by a category and everything below it, combined with search', async () => {
    const tops = new Set(['tops', 'shirts', 'knitwear']);
    const inTops = published().filter((p) => p.categoryIds?.some((c) => tops.has(c)));
    expect(ids(await all(h.anon, '/v1/products?categoryId=tops', 11))).toEqual(ids(inTops));
    expect(ids(await all(h.anon, '/v1/categories/apparel/products', 50))).toEqual(
      ids(published().filter((p) => p.categoryIds?.some((c) => ['apparel', 'tops', 'shirts', 'knitwear', 'shorts'].includes(c)))),
    );
    const q = 'blue';
    expect(ids(await all(h.anon, `/v1/products?categoryId=tops&q=${q}`, 3))).toEqual(ids(inTops.filter((p) => matches(p.name, q))));
    expect((await h.anon.get<{ items: Item[] }>('/v1/products?categoryId=ghost')).body.items).toEqual([]);
  });

  it('lets catalog operators page through drafts too', async () => {
    expect(await all(h.ops, '/v1/products?status=draft', 100)).toHaveLength(24);
    expect(await all(h.ops, '/v1/products?status=all', 100)).toHaveLength(240);
  });

  it('keeps pages stable while products are added between requests', async () => {
    const first = await h.anon.get<{ items: Item[]; nextCursor: string }>('/v1/products?limit=50');
    // A product sorting before the cursor appears on no later page; the rest continue without a gap.
    await h.ops.post('/v1/products', { id: 'aaa', name: 'Aaa Early Bird', skus: [{ sku: 'aaa-1', prices: { online: { amountMinor: 1, currency: 'EUR' } }, listing: { channels: ['online'] } }] });
    await h.ops.post('/v1/products/aaa/publish');
    const rest = await all(h.anon, '/v1/products', 50, first.body.nextCursor);
    const seen = [...first.body.items, ...rest].map((p) => p.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => id !== 'aaa').sort()).toEqual(ids(published()));
  });

  it('rejects a forged or foreign cursor with 400', async () => {
    const bad = await h.anon.get('/v1/products?cursor=not-a-cursor');
    expect(bad).toMatchObject({ status: 400, body: { type: 'https://omni.dev/problems/invalid-cursor' } });
    const categoryCursor = (await h.anon.get<{ nextCursor: string }>('/v1/categories?limit=1')).body.nextCursor;
    expect((await h.anon.get(`/v1/products?cursor=${encodeURIComponent(categoryCursor)}`)).status).toBe(400);
  });
});
