import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../src';
import { api } from '../src/demo/client';
import type { DemoContext } from '../src/demo/flows';
import { restockStory } from '../src/demo/restock';
import { startDemoSystem } from './support';

/**
 * Issue 18 part 2 in the demo city: suppliers and replenishment rules are seeded, and the demo's
 * "an alert that becomes a transfer" story runs through the public APIs and leaves the ledger clean.
 */
let sys: System;
let ctx: DemoContext;
let ops: string;

beforeAll(async () => {
  ({ sys, ctx, ops } = await startDemoSystem());
}, 120_000);
afterAll(async () => sys?.stop());

describe('restock in the demo city', () => {
  it('seeds suppliers with lead times, each SKU with one, and min/max rules per store', async () => {
    const suppliers = await api<{
      items: Array<{ supplierId: string; leadTimeDays: number; skus: string[] }>;
    }>('GET', `${sys.urls.inventory}/v1/suppliers`, { token: ops });
    expect(suppliers.items.map((s) => s.supplierId).sort()).toEqual(['SUP-HAVEL', 'SUP-ODER', 'SUP-SPREE']);
    expect(suppliers.items.every((s) => s.leadTimeDays > 0 && s.skus.length > 0)).toBe(true);
    const rules = await api<{ items: Array<{ min: number; max: number }> }>(
      'GET',
      `${sys.urls.inventory}/v1/locations/S01/replenishment-rules`,
      { token: ctx.tokens['clerk:S01'] },
    );
    expect(rules.items).toHaveLength(10);
    expect(rules.items[0]).toMatchObject({ min: 2, max: 10 });
  });

  it('an alert becomes a transfer that lands, and the ledger still replays to the levels', async () => {
    const transferId = await restockStory(ctx);
    const transfer = await api<{ status: string; toLocationId: string }>(
      'GET',
      `${sys.urls.inventory}/v1/transfers/${transferId}`,
      { token: ops },
    );
    expect(transfer).toMatchObject({ status: 'received', toLocationId: 'S03' });
    const rec = await api<{ ok: boolean }>('POST', `${sys.urls.inventory}/v1/ops/reconcile`, { token: ops });
    expect(rec.ok).toBe(true);
  });
});
