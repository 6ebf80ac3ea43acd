import { waitFor } from '@omni/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productBody, publishAvailability, startCatalog, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startCatalog();
  await h.ops.post('/v1/products', productBody('kettle'));
  await h.ops.post('/v1/products/kettle/publish');
});
afterAll(async () => h?.stop());

type Level = { available: number; level: string };
type Detail = {
  availability: { online: string; store?: string };
  skus: Array<{ sku: string; availability: { online: Level; stores: Array<Level & { storeId: string }>; store?: Level; version: number } }>;
};

const snapshot = (version: number, online: number, s1: number, s2: number) => ({
  sku: 'kettle-S',
  online: { available: online, level: (online === 0 ? 'out' : online < 5 ? 'low' : 'in_stock') as 'out' | 'low' | 'in_stock' },
  stores: [
    { locationId: 'S1', available: s1, level: (s1 === 0 ? 'out' : s1 < 5 ? 'low' : 'in_stock') as 'out' | 'low' | 'in_stock' },
    { locationId: 'S2', available: s2, level: (s2 === 0 ? 'out' : s2 < 5 ? 'low' : 'in_stock') as 'out' | 'low' | 'in_stock' },
  ],
  version,
});

async function detail(query = ''): Promise<Detail> {
  return (await h.anon.get<Detail>(`/v1/products/kettle${query}`)).body;
}

async function skuVersion(): Promise<number> {
  return (await detail()).skus[0]!.availability.version;
}

describe('availability projection from inventory.AvailabilityChanged', () => {
  it('shows out of stock before inventory reports anything', async () => {
    const d = await detail('?channel=store&storeId=S1');
    expect(d.availability).toEqual({ online: 'out', store: 'out' });
    expect(d.skus[0]!.availability).toEqual({ online: { available: 0, level: 'out' }, stores: [], store: { available: 0, level: 'out' }, version: 0 });
  });

  it('shows the level per channel and per store from the latest snapshot', async () => {
    await publishAvailability(h.deps.bus, snapshot(1, 20, 3, 0));
    await waitFor(async () => (await skuVersion()) === 1, { what: 'version 1 projected' });
    const d = await detail('?channel=store&storeId=S1');
    expect(d.availability).toEqual({ online: 'in_stock', store: 'low' });
    expect(d.skus[0]!.availability).toEqual({
      online: { available: 20, level: 'in_stock' },
      stores: [
        { storeId: 'S1', available: 3, level: 'low' },
        { storeId: 'S2', available: 0, level: 'out' },
      ],
      store: { available: 3, level: 'low' },
      version: 1,
    });
    const list = await h.anon.get<{ items: Array<{ id: string; availability: string }> }>('/v1/products?channel=store&storeId=S2');
    expect(list.body.items.find((p) => p.id === 'kettle')?.availability).toBe('out');
    const online = await h.anon.get<{ items: Array<{ id: string; availability: string }> }>('/v1/products');
    expect(online.body.items.find((p) => p.id === 'kettle')?.availability).toBe('in_stock');
  });

  it('drops out-of-order (older) snapshots and applies duplicates once', async () => {
    await publishAvailability(h.deps.bus, snapshot(5, 0, 0, 9));
    await waitFor(async () => (await skuVersion()) === 5, { what: 'version 5 projected' });
    // Older versions arriving late, and the same event id delivered twice.
    await publishAvailability(h.deps.bus, snapshot(3, 50, 50, 50));
    const dup = await publishAvailability(h.deps.bus, snapshot(6, 2, 0, 8), 'evt-dup-6');
    await publishAvailability(h.deps.bus, snapshot(6, 2, 0, 8), dup.id);
    await publishAvailability(h.deps.bus, snapshot(4, 40, 40, 40));
    // A later marker on the same key (same partition, so handled after the ones above).
    await publishAvailability(h.deps.bus, { ...snapshot(7, 2, 0, 7) });
    await waitFor(async () => (await skuVersion()) === 7, { what: 'version 7 projected' });
    const d = await detail('?channel=store&storeId=S2');
    expect(d.skus[0]!.availability.online).toEqual({ available: 2, level: 'low' });
    expect(d.skus[0]!.availability.store).toEqual({ available: 7, level: 'in_stock' });
    const metrics = await h.anon.get('/metrics');
    expect(String(metrics.body)).toMatch(/catalog_availability_updates_total\{[^}]*outcome="stale"[^}]*\} 2/);
    expect(String(metrics.body)).toMatch(/catalog_availability_updates_total\{[^}]*outcome="applied"[^}]*\} 4/);
    expect(String(metrics.body)).toMatch(/events_consumed_total\{[^}]*outcome="duplicate"[^}]*\} 1/);
  });

  it('a redelivered old snapshot after a restart-like replay changes nothing', async () => {
    const before = await detail('?channel=store&storeId=S2');
    for (const v of [1, 2, 5, 6, 7]) await publishAvailability(h.deps.bus, snapshot(v, 99, 99, 99));
    await publishAvailability(h.deps.bus, { ...snapshot(8, 2, 0, 7) }); // marker: same content as v7
    await waitFor(async () => (await skuVersion()) === 8, { what: 'version 8 projected' });
    const after = await detail('?channel=store&storeId=S2');
    expect({ ...after.skus[0]!.availability, version: 7 }).toEqual(before.skus[0]!.availability);
  });
});
