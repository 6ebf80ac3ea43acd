import { demoCatalog, seedCatalog } from '@omni/catalog';
import { seedCustomers } from '@omni/customers';
import { seedIdentity, type IdentitySeedResult } from '@omni/identity';
import { seedInventory } from '@omni/inventory';
import {
  CITY,
  demoBins,
  demoLocations,
  demoReplenishmentRules,
  demoRiders,
  demoStock,
  demoSuppliers,
  demoZones,
} from './demo/city';
import { DEMO_SHOPPERS } from './demo/customers';
import { demoVouchers } from './demo/vouchers';
import type { System } from './system';

export interface DemoSummary {
  identity: IdentitySeedResult;
  customers: Array<{ name: string; customerId: string; email?: string }>;
  skus: string[];
  stores: string[];
  warehouses: string[];
  riders: string[];
  ms: number;
}

async function call(
  url: string,
  token: string,
  method: string,
  body: unknown,
  okIf: (status: number) => boolean,
): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!okIf(res.status)) throw new Error(`${method} ${url} → ${res.status}: ${await res.text()}`);
}

/**
 * Seeds the demo city into a running system. Idempotent: existing records are kept, so it is safe
 * on a data dir that was seeded before (the runtime only calls it on first start anyway).
 * Catalog, inventory, customers and identity are seeded through their use cases; pickup and
 * dispatch through their HTTP APIs as an ops user would.
 */
export async function seedDemo(
  sys: Pick<System, 'catalog' | 'inventory' | 'customers' | 'identity' | 'urls'>,
  opts: { demoTokenTtlSeconds?: number } = {},
): Promise<DemoSummary> {
  const t0 = performance.now();
  const locations = demoLocations();
  const stores = locations.filter((l) => l.type === 'store');
  const warehouses = locations.filter((l) => l.type === 'warehouse');
  const riders = demoRiders(50);

  const catalogData = demoCatalog(200);
  const skus = catalogData.products.flatMap((p) => p.skus.map((s) => s.sku));
  // Voucher products are catalog products too; their terms are offers in the vouchers service (below).
  const vouchers = demoVouchers(skus[0]!);
  await seedCatalog(sys.catalog, {
    ...catalogData,
    products: [...catalogData.products, ...vouchers.map((v) => v.product)],
  });

  const stock = demoStock(skus, locations);
  await seedInventory(sys.inventory, {
    locations: locations.map((l) => ({
      id: l.id,
      name: l.name,
      type: l.type,
      address: l.address,
      geo: l.geo,
      openingHours: l.openingHours,
      capabilities: l.capabilities,
    })),
    stock,
    suppliers: demoSuppliers(skus),
    rules: demoReplenishmentRules(stock, locations),
  });

  const created = await seedCustomers(sys.customers, DEMO_SHOPPERS);
  const customers = DEMO_SHOPPERS.map((c, i) => ({
    name: c.name ?? 'customer',
    customerId: created[i]?.customerId ?? '',
    email: c.identities.find((x) => x.kind === 'email')?.value,
  })).filter((c) => c.customerId && c.email);

  const identity = await seedIdentity(sys.identity, {
    stores: stores.map((s) => s.id),
    riders: riders.map((r) => r.id),
    customers: customers.map((c) => ({ customerId: c.customerId, email: c.email })),
    ...(opts.demoTokenTtlSeconds ? { demoTokenTtlSeconds: opts.demoTokenTtlSeconds } : {}),
  });
  const ops = identity.tokens.ops;
  if (!ops) throw new Error('identity seed returned no ops token');

  for (const s of stores) {
    await call(
      `${sys.urls.pickup}/v1/stores/${s.id}/pickup/config`,
      ops,
      'PUT',
      { prepMinutes: s.prepMinutes },
      (st) => st === 200,
    );
  }
  for (const v of vouchers)
    await call(
      `${sys.urls.vouchers}/v1/voucher-offers`,
      ops,
      'POST',
      v.offer,
      (st) => st === 201 || st === 409,
    );
  for (const z of demoZones()) {
    const byId = new Map(stores.map((s) => [s.id, s.geo]));
    await call(
      `${sys.urls.dispatch}/v1/zones`,
      ops,
      'POST',
      {
        id: z.id,
        city: CITY.name,
        name: z.name,
        area: { type: 'Polygon', coordinates: z.polygon },
        stores: z.storeIds.map((storeId) => ({ storeId, geo: byId.get(storeId) })),
        maxTripMinutes: z.maxTripMinutes,
      },
      (st) => st === 201 || st === 409,
    );
  }
  // Warehouses keep every SKU in a bin: pick lists come sorted by them (at most 500 per call).
  for (const w of warehouses) {
    const bins = demoBins(skus, w.id);
    for (let i = 0; i < bins.length; i += 500) {
      await call(
        `${sys.urls.inventory}/v1/locations/${w.id}/bins`,
        ops,
        'PUT',
        { bins: bins.slice(i, i + 500) },
        (st) => st === 200,
      );
    }
  }
  for (const r of riders) {
    await call(
      `${sys.urls.dispatch}/v1/riders`,
      ops,
      'POST',
      { id: r.id, name: r.name, vehicle: r.vehicle, capacity: r.capacity },
      (st) => st === 201 || st === 409,
    );
  }
  return {
    identity,
    customers,
    skus,
    stores: stores.map((s) => s.id),
    warehouses: warehouses.map((w) => w.id),
    riders: riders.map((r) => r.id),
    ms: Math.round(performance.now() - t0),
  };
}
