import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import { eur, productBody, startCatalog, type Api, type Harness } from './harness';

/**
 * Issue 16 items 5 and 6 on the catalog side: price and range parity (default on) — a catalog writer
 * cannot open a difference between online and the stores, ops can and are audited, and
 * GET /v1/ops/parity lists every difference in cursor pages; and purchase limits as a SKU attribute.
 */
let h: Harness;
let merch: Api;

beforeAll(async () => {
  h = await startCatalog();
  merch = client(h.svc.url, await h.deps.issuer.service('merch-tool', 'catalog:write'));
});
afterAll(async () => h?.stop());

/** A product that keeps parity: one price online and in store, both channels, every store. */
function parityBody(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Product ${id}`,
    skus: [
      { sku: `${id}-1`, prices: { online: eur(500), store: eur(500) }, listing: { channels: ['online', 'store'] }, ...extra },
    ],
  };
}

type Report = {
  policy: string;
  items: Array<{ productId: string; gaps: Array<{ kind: string; sku: string; storeId?: string; stores?: string[] }> }>;
  nextCursor: string | null;
};
type Audit = { items: Array<{ action: string; actor: { sub: string }; target: { id: string }; details: Record<string, unknown> }> };

describe('price and range parity', () => {
  it('refuses a catalog writer any difference (nothing written) and lets parity-keeping writes through', async () => {
    expect((await merch.post('/v1/products', parityBody('par-ok'))).status).toBe(201);
    const dearer = await merch.post<{ type: string }>('/v1/products', productBody('par-dear')); // store 10 % dearer
    expect(dearer.status).toBe(403);
    expect(dearer.body.type).toBe('https://omni.dev/problems/parity-override-needs-ops');
    expect((await h.ops.get('/v1/products/par-dear')).status).toBe(404);

    const override = await merch.put('/v1/products/par-ok/skus/par-ok-1/store-prices/S1', { price: eur(450) });
    expect(override.status).toBe(403);
    expect((await merch.put('/v1/products/par-ok/skus/par-ok-1/store-prices/S1', { price: eur(500) })).status).toBe(200);
    expect((await merch.put('/v1/products/par-ok/skus/par-ok-1/listing', { channels: ['online', 'store'], stores: ['S1'] })).status).toBe(403);
    expect((await merch.put('/v1/products/par-ok/skus/par-ok-1/listing', { channels: ['online'] })).status).toBe(403);
    const after = await h.ops.get<{ version: number; skus: Array<{ storePrices: unknown[]; listing: unknown }> }>('/v1/products/par-ok');
    expect(after.body.skus[0]).toMatchObject({ storePrices: [{ storeId: 'S1', price: eur(500) }], listing: { channels: ['online', 'store'] } });
  });

  it('lets ops override, audits each override with its gaps, and reports every difference in pages', async () => {
    expect((await h.ops.post('/v1/products', productBody('par-a'))).status).toBe(201);
    expect((await h.ops.post('/v1/products', parityBody('par-b'))).status).toBe(201);
    expect((await h.ops.put('/v1/products/par-b/skus/par-b-1/store-prices/S2', { price: eur(450) })).status).toBe(200);
    expect((await h.ops.post('/v1/products', parityBody('par-c'))).status).toBe(201);
    expect((await h.ops.put('/v1/products/par-c/skus/par-c-1/listing', { channels: ['store'] })).status).toBe(200);

    const audit = await h.ops.get<Audit>('/v1/audit?action=catalog.parity.override');
    expect(audit.body.items.map((e) => e.target.id).sort()).toEqual(['par-a', 'par-b', 'par-c']);
    const b = audit.body.items.find((e) => e.target.id === 'par-b')!;
    expect(b.details).toMatchObject({ gapCount: 1, gaps: [{ kind: 'store-override', sku: 'par-b-1', storeId: 'S2', online: eur(500), store: eur(450) }] });

    const first = await h.ops.get<Report>('/v1/ops/parity?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.policy).toBe('on');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await h.ops.get<Report>(`/v1/ops/parity?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    const all = [...first.body.items, ...second.body.items];
    expect(second.body.nextCursor).toBeNull();
    expect(all.map((i) => i.productId).sort()).toEqual(['par-a', 'par-b', 'par-c']);
    expect(all.find((i) => i.productId === 'par-a')!.gaps.map((g) => [g.kind, g.sku])).toEqual([
      ['store-price', 'par-a-S'],
      ['store-price', 'par-a-M'],
    ]);
    expect(all.find((i) => i.productId === 'par-c')!.gaps).toEqual([{ kind: 'store-only', sku: 'par-c-1' }]);

    // Closing a gap takes the product off the report (and needs nobody's permission).
    expect((await merch.put('/v1/products/par-b/skus/par-b-1/store-prices/S2', { price: eur(500) })).status).toBe(200);
    const again = await h.ops.get<Report>('/v1/ops/parity?limit=50');
    expect(again.body.items.map((i) => i.productId).sort()).toEqual(['par-a', 'par-c']);
  });

  it('is for ops only, with strict paging input', async () => {
    expect((await h.anon.get('/v1/ops/parity')).status).toBe(401);
    expect((await merch.get('/v1/ops/parity')).status).toBe(403);
    expect((await h.customer.get('/v1/ops/parity')).status).toBe(403);
    expect((await h.ops.get('/v1/ops/parity?limit=0')).status).toBe(400);
    expect((await h.ops.get('/v1/ops/parity?cursor=forged')).status).toBe(400);
  });
});

describe('purchase limits on SKUs', () => {
  it('are set on create, changed and removed by PATCH (audited), and answered by GetSkus', async () => {
    const created = await h.ops.post('/v1/products', parityBody('lim', { purchaseLimit: { qty: 5, period: 'day' } }));
    expect(created.status).toBe(201);
    await h.ops.post('/v1/products/lim/publish');
    const [answer] = await h.svc.catalog.getSkus(['lim-1'], 'online');
    expect(answer).toMatchObject({ sellable: true, purchaseLimit: { qty: 5, period: 'day' } });

    expect((await h.ops.patch('/v1/products/lim/skus/lim-1', { purchaseLimit: { qty: 2, period: 'week' } })).status).toBe(200);
    const view = await h.anon.get<{ skus: Array<{ purchaseLimit?: unknown }> }>('/v1/products/lim');
    expect(view.body.skus[0]!.purchaseLimit).toEqual({ qty: 2, period: 'week' });
    expect((await h.ops.patch('/v1/products/lim/skus/lim-1', { purchaseLimit: null })).status).toBe(200);
    const [cleared] = await h.svc.catalog.getSkus(['lim-1'], 'online');
    expect(cleared).not.toHaveProperty('purchaseLimit');

    const audit = await h.ops.get<Audit>('/v1/audit?action=catalog.purchase-limit.set');
    expect(audit.body.items.map((e) => e.details)).toEqual([
      { productId: 'lim', before: { qty: 2, period: 'week' }, after: null },
      { productId: 'lim', before: { qty: 5, period: 'day' }, after: { qty: 2, period: 'week' } },
    ]);
    for (const bad of [{ qty: 0, period: 'day' }, { qty: 5, period: 'month' }, { qty: '5', period: 'day' }, { qty: 5 }]) {
      expect((await h.ops.patch('/v1/products/lim/skus/lim-1', { purchaseLimit: bad })).status).toBe(400);
    }
  });
});
