import { ProductCreated, ProductDeleted } from '@omni/contracts';
import { createEvent, toBusMessage, type EventData, type EventDefinition } from '@omni/events';
import { waitFor } from '@omni/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosBatchResult, PosOpInput } from '../src';
import { levelOf, seedDemo, startInventory, type Api, type Harness } from './harness';

/**
 * Issue 13 item 16: a POS op of qty 0 where 0 means nothing, or for a SKU catalog never announced,
 * is refused per op for every op type, writes nothing, and still takes its sequence number (no gap
 * the store could only force past).
 */
let h: Harness;
let managerS1: Api;

beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [{ sku: 'SODA', locationId: 'S1', onHand: 10 }]);
  managerS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'manager'));
});
afterAll(async () => {
  await h?.stop();
});

async function publish<D extends EventDefinition>(def: D, subject: string, data: EventData<D>) {
  const event = createEvent(def, { source: '/omni/catalog', subject, data });
  await h.deps.bus.publish(def.topic, [toBusMessage(event)]);
}

const sync = (ops: PosOpInput[]) => managerS1.post<PosBatchResult>('/v1/stores/S1/sync', { ops });
const movements = () => h.svc.store.collection('stock_movements').countDocuments({ locationId: 'S1' });

describe('POS ops that mean nothing or name nothing', () => {
  it('refuses qty 0 for sale, return and receipt (a count of 0 is real), per op, keeping the sequence', async () => {
    const before = await movements();
    const res = await sync([
      { clientOpId: 'z-1', seq: 1, type: 'sale', lines: [{ sku: 'SODA', qty: 0 }] },
      { clientOpId: 'z-2', seq: 2, type: 'return', lines: [{ sku: 'SODA', qty: 0 }] },
      {
        clientOpId: 'z-3',
        seq: 3,
        type: 'receipt',
        lines: [
          { sku: 'SODA', qty: 1 },
          { sku: 'SODA', qty: 0 },
        ],
      },
      { clientOpId: 'z-4', seq: 4, type: 'sale', lines: [{ sku: 'SODA', qty: 2 }] },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { clientOpId: 'z-1', seq: 1, status: 'rejected', reason: 'invalid-qty' },
      { clientOpId: 'z-2', seq: 2, status: 'rejected', reason: 'invalid-qty' },
      { clientOpId: 'z-3', seq: 3, status: 'rejected', reason: 'invalid-qty' },
      { clientOpId: 'z-4', seq: 4, status: 'applied' },
    ]);
    // The refused ops took their numbers: nothing is missing, nothing held.
    expect(res.body).toMatchObject({ cursor: 4, gaps: [], held: [] });
    expect(await movements()).toBe(before + 1);
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 8 });

    const counted = await sync([
      { clientOpId: 'z-5', seq: 5, type: 'count', lines: [{ sku: 'SODA', qty: 0 }] },
    ]);
    expect(counted.body.results).toEqual([{ clientOpId: 'z-5', seq: 5, status: 'applied' }]);
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 0 });
  });

  it('refuses a SKU catalog never announced the same way for every op type, and accepts it once announced', async () => {
    const before = await movements();
    const types = ['sale', 'return', 'receipt', 'count'] as const;
    const res = await sync(
      types.map((type, i) => ({
        clientOpId: `u-${type}`,
        seq: 6 + i,
        type,
        lines: [{ sku: 'GHOST', qty: 5 }],
      })),
    );
    expect(res.body.results).toEqual(
      types.map((type, i) => ({
        clientOpId: `u-${type}`,
        seq: 6 + i,
        status: 'rejected',
        reason: 'unknown-sku',
      })),
    );
    expect(res.body).toMatchObject({ cursor: 9, gaps: [] });
    expect(await movements()).toBe(before);
    expect(await h.svc.store.collection('stock_levels').countDocuments({ sku: 'GHOST' })).toBe(0);
    // One unknown line refuses the whole op: nothing of it is applied.
    const mixed = await sync([
      {
        clientOpId: 'u-mixed',
        seq: 10,
        type: 'receipt',
        lines: [
          { sku: 'SODA', qty: 3 },
          { sku: 'GHOST', qty: 1 },
        ],
      },
    ]);
    expect(mixed.body.results[0]).toMatchObject({ status: 'rejected', reason: 'unknown-sku' });
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 0 });

    // Catalog announces the product: inventory learns its SKUs from the event and accepts them.
    await publish(ProductCreated, 'p-new', {
      productId: 'p-new',
      name: 'New thing',
      categoryIds: [],
      skus: [{ sku: 'NEW-1', attributes: {} }],
    });
    await waitFor(async () => (await h.svc.store.collection('catalog_skus').findById('NEW-1')) ?? undefined, {
      what: 'NEW-1 known',
    });
    const known = await sync([
      { clientOpId: 'n-1', seq: 11, type: 'receipt', lines: [{ sku: 'NEW-1', qty: 4 }] },
    ]);
    expect(known.body.results).toEqual([{ clientOpId: 'n-1', seq: 11, status: 'applied' }]);
    expect(await levelOf(h, 'NEW-1', 'S1')).toMatchObject({ onHand: 4 });

    // A deleted draft frees its codes: a SKU without stock is unknown again.
    await publish(ProductCreated, 'p-draft', {
      productId: 'p-draft',
      name: 'Draft',
      categoryIds: [],
      skus: [{ sku: 'DRAFT-1', attributes: {} }],
    });
    const skus = h.svc.store.collection('catalog_skus');
    await waitFor(async () => (await skus.findById('DRAFT-1')) ?? undefined, { what: 'DRAFT-1 known' });
    await publish(ProductDeleted, 'p-draft', { productId: 'p-draft', skus: ['DRAFT-1'] });
    await waitFor(async () => ((await skus.findById('DRAFT-1')) ? undefined : true), {
      what: 'DRAFT-1 gone',
    });
    const gone = await sync([
      { clientOpId: 'd-1', seq: 12, type: 'receipt', lines: [{ sku: 'DRAFT-1', qty: 1 }] },
    ]);
    expect(gone.body.results[0]).toMatchObject({ status: 'rejected', reason: 'unknown-sku' });
  });
});
