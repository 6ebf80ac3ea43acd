import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPool } from './http-pool';
import { LOCATIONS, seedDemo, startInventory, type Harness } from './harness';

const SKU = 'FLASH-1';
const LOCATION_IDS = ['WH1', 'WH2', 'S1', 'S2', 'S3'];
const UNITS_PER_LOCATION = 200;
const ATTEMPTS = 10_000;

let h: Harness;
beforeAll(async () => {
  h = await startInventory();
  await h.svc.inventory.createLocation(
    { ...LOCATIONS[0]!, id: 'WH2', name: 'Second warehouse', geo: { lat: 48.1, lng: 11.6 } },
    { actor: { sub: 'test', role: 'ops' } },
  );
  await seedDemo(
    h,
    LOCATION_IDS.map((locationId) => ({ sku: SKU, locationId, onHand: UNITS_PER_LOCATION })),
  );
});
afterAll(async () => h?.stop());

describe('flash sale: 10,000 concurrent reserve attempts for 1,000 units', () => {
  it('reserves exactly 1,000 units over HTTP and gRPC, oversells nothing, and the ledger replays to the levels', async () => {
    const pool = httpPool(h.svc.url, await h.deps.issuer.service('orders', 'inventory:reserve'));
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: ATTEMPTS }, async (_, i) => {
        const request = {
          reservationId: `flash-${i}`,
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
    const seconds = (performance.now() - started) / 1000;
    pool.close();
    console.log(
      `10k reserve attempts: ${seconds.toFixed(2)} s, ${Math.round(ATTEMPTS / seconds)} attempts/s`,
    );

    const counts = outcomes.reduce<Record<string, number>>(
      (acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ reserved: 1_000, refused: 9_000 });

    for (const locationId of LOCATION_IDS) {
      const level = await h.svc.inventory.getLevel(SKU, locationId);
      expect(level).toMatchObject({ onHand: UNITS_PER_LOCATION, reserved: UNITS_PER_LOCATION, available: 0 });
    }
    const active = await h.svc.store.collection('reservations').countDocuments({ status: 'active' });
    expect(active).toBe(1_000);
    const report = await h.svc.inventory.reconcile();
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    // 1,000 reserve movements on top of the 5 seed receipts: refused attempts left no trace.
    expect(report.movements).toBe(1_005);
  });
});
