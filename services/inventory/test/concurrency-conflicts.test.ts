import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedStore } from '@omni/store';
import { httpPool } from './http-pool';
import { seedDemo, startInventory, type Harness } from './harness';

/**
 * The hot-SKU test again, on a store that fails 20 % of the writes made in transactions with a write
 * conflict, as a contended MongoDB does. Before the retry budget (5 tries, ≤ 10·n ms apart, no backoff that
 * grows) conflicts in a row surfaced as 500s; now every attempt ends as reserved or refused.
 */
const SKU = 'FLASH-C';
const LOCATION_IDS = ['WH1', 'S1', 'S2', 'S3'];
const UNITS_PER_LOCATION = 50;
const ATTEMPTS = 1_000;

let h: Harness;
beforeAll(async () => {
  h = await startInventory({ storeFaults: { conflictRate: 0.2, seed: 14 } });
  (h.svc.store as EmbeddedStore).faults.conflictRate = 0; // seed without injected conflicts
  await seedDemo(
    h,
    LOCATION_IDS.map((locationId) => ({ sku: SKU, locationId, onHand: UNITS_PER_LOCATION })),
  );
  (h.svc.store as EmbeddedStore).faults.conflictRate = 0.2;
});
afterAll(async () => h?.stop());

describe('hot SKU under 20 % injected write conflicts', () => {
  it('has no failures and reserves exactly the stock, over HTTP and gRPC', async () => {
    const pool = httpPool(h.svc.url, await h.deps.issuer.service('orders', 'inventory:reserve'));
    const outcomes = await Promise.all(
      Array.from({ length: ATTEMPTS }, async (_, i) => {
        const request = {
          reservationId: `hot-${i}`,
          locationId: LOCATION_IDS[i % LOCATION_IDS.length]!,
          lines: [{ sku: SKU, qty: 1 }],
        };
        if (i % 2 === 0) {
          const res = await pool.post('/v1/reservations', request);
          return res.status === 201
            ? 'reserved'
            : res.status === 422 && res.body.type === 'https://omni.dev/problems/insufficient-stock'
              ? 'refused'
              : `http ${res.status}`;
        }
        try {
          await h.grpc.reserve({ ...request, ttlSeconds: 0, orderId: '', channel: 0 });
          return 'reserved';
        } catch (err) {
          const e = err as { status?: number; slug?: string };
          return e.status === 422 && e.slug === 'insufficient-stock' ? 'refused' : `grpc ${String(e.status)}`;
        }
      }),
    );
    pool.close();
    (h.svc.store as EmbeddedStore).faults.conflictRate = 0;

    const counts = outcomes.reduce<Record<string, number>>(
      (acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }),
      {},
    );
    const stock = UNITS_PER_LOCATION * LOCATION_IDS.length;
    expect(counts).toEqual({ reserved: stock, refused: ATTEMPTS - stock });
    for (const locationId of LOCATION_IDS) {
      const level = await h.svc.inventory.getLevel(SKU, locationId);
      expect(level).toMatchObject({ onHand: UNITS_PER_LOCATION, reserved: UNITS_PER_LOCATION, available: 0 });
    }
    const report = await h.svc.inventory.reconcile();
    expect(report.differences).toEqual([]);
    expect(report.movements).toBe(LOCATION_IDS.length + stock);
  });
});
