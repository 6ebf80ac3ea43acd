import { callJson, expectJson, forEachLimit, listAll } from './http';
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

/**
 * Registers SKUs that exist only for this run as one catalog product, as a merchandiser would:
 * inventory accepts stock only for SKUs catalog has announced (it learns them from catalog's events).
 */
export async function registerSkus(target: Target, productId: string, skus: string[]): Promise<void> {
  await expectJson(
    `${target.urls.catalog}/v1/products`,
    target.opsToken,
    'POST',
    { id: productId, name: `Bench ${productId}`, skus: skus.map((sku) => ({ sku })) },
    (s) => s === 201 || s === 200 || s === 409,
  );
}

/** Goods-in at one location (idempotent by receiptId). */
export async function receive(
  target: Target,
  locationId: string,
  receiptId: string,
  lines: Array<{ sku: string; qty: number }>,
): Promise<void> {
  for (let i = 0; i < lines.length; i += 100) {
    const url = `${target.urls.inventory}/v1/locations/${encodeURIComponent(locationId)}/receipts`;
    const body = {
      receiptId: `${receiptId}-${i / 100}`,
      lines: lines.slice(i, i + 100).map((l) => ({ sku: l.sku, acceptedQty: l.qty })),
    };
    // A SKU registered a moment ago reaches inventory through catalog's events: wait for it a while.
    for (let attempt = 0; ; attempt++) {
      const res = await callJson<{ type?: string }>(url, target.opsToken, 'POST', body);
      if (res.status >= 200 && res.status < 300) break;
      const unknownSku = res.status === 404 && String(res.body?.type).endsWith('/unknown-sku');
      if (!unknownSku || attempt >= 100)
        throw new Error(`POST ${url} → ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
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

interface ZoneView {
  id: string;
  city: string;
  name: string;
  area: unknown;
  stores: unknown[];
  maxTripMinutes: number;
  referenceVehicle: string;
  slotMinutes: number;
  slotCapacity: number;
  active: boolean;
}

/**
 * Gives every delivery zone a slot capacity far above what a run places, as an operator would
 * (PUT /v1/zones/{id}): a load test of placement measures placement, not the city's rider capacity
 * (20 deliveries per store per hour by default, which a bench fills in a second). Waits until orders
 * has the new capacity (it learns zones from dispatch's events) by quoting next to `probe`.
 */
export async function raiseSlotCapacity(
  target: Target,
  probe: { lat: number; lng: number },
  sku: string,
  capacity = 10_000,
): Promise<void> {
  const zones = await listAll<ZoneView>(`${target.urls.dispatch}/v1/zones`, target.opsToken);
  for (const z of zones) {
    if (z.slotCapacity >= capacity) continue;
    await expectJson(`${target.urls.dispatch}/v1/zones/${encodeURIComponent(z.id)}`, target.opsToken, 'PUT', {
      city: z.city,
      name: z.name,
      area: z.area,
      stores: z.stores,
      maxTripMinutes: z.maxTripMinutes,
      referenceVehicle: z.referenceVehicle,
      slotMinutes: z.slotMinutes,
      slotCapacity: capacity,
      active: z.active,
    });
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const q = await callJson<{ delivery?: Array<{ slots: Array<{ remaining: number }> }> }>(
      `${target.urls.orders}/v1/quotes`,
      target.opsToken,
      'POST',
      { lines: [{ sku, qty: 1 }], geo: probe },
    );
    const remaining = q.body.delivery?.[0]?.slots[0]?.remaining ?? 0;
    if (remaining > capacity / 2) return;
    if (Date.now() > deadline) throw new Error(`orders did not learn the raised slot capacity (${remaining} left)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
