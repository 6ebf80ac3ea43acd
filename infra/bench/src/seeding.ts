import { expectJson, forEachLimit } from './http';
import type { Target } from './types';

/** Bench-only locations and stock, created over HTTP as an operator would (works on any target). */

export interface BenchLocation {
  id: string;
  type: 'warehouse' | 'store';
  capabilities: Array<'ships' | 'pickup' | 'local-delivery'>;
}

export async function createLocations(target: Target, locations: BenchLocation[]): Promise<void> {
  await forEachLimit(locations, 16, async (loc, i) => {
    await expectJson(
      `${target.urls.inventory}/v1/locations`,
      target.opsToken,
      'POST',
      {
        id: loc.id,
        name: `Bench ${loc.id}`,
        type: loc.type,
        address: { lines: [`Benchweg ${i + 1}`], city: 'Berlin', postalCode: '10115', country: 'DE' },
        // Spread over the city; nothing routes to these locations (their SKUs are bench-only).
        geo: { lat: 52.45 + (i % 20) * 0.007, lng: 13.3 + Math.floor(i / 20) * 0.01 },
        capabilities: loc.capabilities,
      },
      (s) => s === 201 || s === 200,
    );
  });
}

/** Goods-in at one location (idempotent by receiptId). */
export async function receive(
  target: Target,
  locationId: string,
  receiptId: string,
  lines: Array<{ sku: string; qty: number }>,
): Promise<void> {
  for (let i = 0; i < lines.length; i += 100) {
    await expectJson(
      `${target.urls.inventory}/v1/locations/${encodeURIComponent(locationId)}/receipts`,
      target.opsToken,
      'POST',
      {
        receiptId: `${receiptId}-${i / 100}`,
        lines: lines.slice(i, i + 100).map((l) => ({ sku: l.sku, acceptedQty: l.qty })),
      },
    );
  }
}

export interface LevelView {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

export interface ReconcileReport {
  ok: boolean;
  levels: number;
  movements: number;
  differences: unknown[];
}

export function reconcile(target: Target): Promise<ReconcileReport> {
  return expectJson<ReconcileReport>(
    `${target.urls.inventory}/v1/ops/reconcile`,
    target.opsToken,
    'POST',
    {},
  );
}
