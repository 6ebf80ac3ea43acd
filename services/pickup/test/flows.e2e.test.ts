import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedBus } from '@omni/events';
import { createEmbeddedStore } from '@omni/store';
import { client, TestTokenIssuer, waitFor } from '@omni/testing';
import { buildCatalogService, seedCatalog, type CatalogService } from '@omni/catalog';
import { buildCustomersService, seedCustomers, type CustomersService } from '@omni/customers';
import { buildInventoryService, seedInventory, type InventoryService } from '@omni/inventory';
import { buildOrdersService, type OrdersService } from '@omni/orders';
import { buildPickupService, type PickupService } from '../src';
import type { PickupTask } from '../src/domain/task';
import { DAY, SECRET, TestClock } from './helpers';

/**
 * The whole pickup flows with the real services on one embedded bus (as the embedded runtime runs
 * them): catalog prices, customers resolves, inventory reserves/commits/releases, orders runs the
 * saga and re-routes, pickup works the store queue.
 */
const address = { lines: ['1 Main St'], city: 'Berlin', postalCode: '10115', country: 'DE' };
const SKU = 'p0000-M';

let issuer: TestTokenIssuer;
let catalog: CatalogService;
let customers: CustomersService;
let inventory: InventoryService;
let orders: OrdersService;
let pickup: PickupService;
const pickupClock = new TestClock(Date.now());
let customerId: string;
let closeBus: () => Promise<void>;

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  const bus = createEmbeddedBus({ retryDelayMs: 50 });
  closeBus = () => bus.close();
  const common = { bus, auth: issuer.authOptions, logLevel: 'silent' as const, ownsBus: false };
  catalog = buildCatalogService({ ...common, store: createEmbeddedStore() });
  customers = buildCustomersService({ ...common, store: createEmbeddedStore(), expiryIntervalMs: 0 });
  // Orders holds pickup reservations for the prep + hold time (8 days by default); inventory's default
  // cap is 1 day, so a pickup deployment raises it (reported to orders/inventory as a default mismatch).
  inventory = buildInventoryService({
    ...common,
    store: createEmbeddedStore(),
    settings: { maxReservationTtlSeconds: 8 * 24 * 3600 },
  });
  pickup = buildPickupService({
    ...common,
    store: createEmbeddedStore(),
    codeSecret: SECRET,
    clock: pickupClock.now,
    timings: { sweepIntervalMs: 3600_000, notifyIntervalMs: 3600_000 },
  });
  await Promise.all([catalog.start(), customers.start(), inventory.start(), pickup.start()]);
  const token = await issuer.service(
    'orders',
    'catalog:read inventory:read inventory:reserve customers:read customers:write',
  );
  orders = buildOrdersService({
    ...common,
    store: createEmbeddedStore(),
    catalogAddress: catalog.grpcAddress,
    inventoryAddress: inventory.grpcAddress,
    customersAddress: customers.grpcAddress,
    serviceToken: async () => token,
    timings: { retryBaseMs: 5, retryMaxMs: 50, resumeIntervalMs: 100, leaseSlackMs: 200 },
  });
  await orders.start();

  await seedCatalog(catalog, {
    categories: [{ id: 'kitchen', name: 'Kitchen' }],
    products: [
      {
        id: 'p0000',
        name: 'Mug',
        categoryIds: ['kitchen'],
        images: [],
        attributes: {},
        skus: [
          {
            sku: SKU,
            attributes: {},
            images: [],
            prices: {
              online: { amountMinor: 899, currency: 'EUR' },
              store: { amountMinor: 999, currency: 'EUR' },
            },
            storePrices: [],
            listing: { channels: ['online', 'store'] },
          },
        ],
        publish: true,
      },
    ],
  });
  await seedInventory(inventory, {
    locations: [
      {
        id: 'S1',
        name: 'Store Mitte',
        type: 'store',
        address,
        geo: { lat: 52.52, lng: 13.405 },
        capabilities: ['pickup'],
      },
      {
        id: 'S2',
        name: 'Store Kreuzberg',
        type: 'store',
        address,
        geo: { lat: 52.4986, lng: 13.4033 },
        capabilities: ['pickup'],
      },
    ],
    stock: [
      { sku: SKU, locationId: 'S1', onHand: 5 },
      { sku: SKU, locationId: 'S2', onHand: 5 },
    ],
  });
  const [created] = await seedCustomers(customers, [
    { name: 'Ada Lovelace', identities: [{ kind: 'email', value: 'ada@example.com', verified: true }] },
  ]);
  customerId = created!.customerId;
}, 60_000);

afterAll(async () => {
  for (const s of [orders, pickup, inventory, customers, catalog]) await s?.stop().catch(() => undefined);
  await closeBus?.();
});

const level = (locationId: string) => inventory.inventory.getLevel(SKU, locationId);
const tasks = () => pickup.store.collection<PickupTask>('pickup_tasks');
const waitTask = (orderId: string, storeId: string, state?: string) =>
  waitFor(
    async () => (await tasks().findOne({ orderId, storeId, ...(state ? { state } : {}) })) ?? undefined,
    { what: `task of ${orderId} at ${storeId}${state ? ` ${state}` : ''}`, timeoutMs: 20_000 },
  );

async function placePickupOrder(storeId: string, qty: number): Promise<string> {
  const api = client(orders.url, await issuer.customer(customerId));
  const res = await api.post<{ orderId?: string; id?: string; status: string }>(
    '/v1/orders',
    {
      lines: [{ sku: SKU, qty }],
      fulfilment: { method: 'pickup', storeId },
      payment: { method: 'card', cardToken: 'tok_ok' },
    },
    { headers: { 'idempotency-key': `k-${Math.random()}` } },
  );
  expect([201, 202], JSON.stringify(res.body)).toContain(res.status);
  const id = res.body.orderId ?? res.body.id;
  if (!id) throw new Error(`no order id in ${JSON.stringify(res.body)}`);
  return id;
}

async function pick(storeId: string, task: PickupTask): Promise<void> {
  const staff = client(pickup.url, await issuer.staff(storeId));
  const base = `/v1/stores/${storeId}/pickup/tasks/${task._id}`;
  expect((await staff.post(`${base}/start`)).status).toBe(200);
  for (const l of task.lines)
    expect((await staff.post(`${base}/lines`, { sku: l.sku, qty: l.qty })).status).toBe(200);
  expect((await staff.post(`${base}/ready`)).status).toBe(200);
}

const orderStatus = async (orderId: string) =>
  (await client(orders.url, await issuer.ops()).get<{ status: string }>(`/v1/orders/${orderId}`)).body.status;

describe('pickup with orders and inventory', () => {
  it('order → task → short → re-routed to another store → ready → collected → stock committed', async () => {
    const s1Before = await level('S1');
    const s2Before = await level('S2');
    const orderId = await placePickupOrder('S1', 2);
    const atS1 = await waitTask(orderId, 'S1', 'queued');
    expect(atS1.lines).toEqual([expect.objectContaining({ sku: SKU, qty: 2 })]);
    expect((await level('S1')).reserved).toBe(s1Before.reserved + 2);

    const staff1 = client(pickup.url, await issuer.staff('S1'));
    await staff1.post(`/v1/stores/S1/pickup/tasks/${atS1._id}/start`);
    expect(
      (await staff1.post(`/v1/stores/S1/pickup/tasks/${atS1._id}/short`, { lines: [{ sku: SKU, qty: 1 }] }))
        .status,
    ).toBe(200);

    // Orders re-routes to S2: new reservation there, the one at S1 released, the S1 task void.
    const atS2 = await waitTask(orderId, 'S2', 'queued');
    expect(atS2.routeAttempt).toBeGreaterThan(atS1.routeAttempt);
    await waitTask(orderId, 'S1', 'rerouted');
    await waitFor(async () => (await level('S1')).reserved === s1Before.reserved || undefined, {
      what: 'S1 reservation released',
    });
    expect((await level('S2')).reserved).toBe(s2Before.reserved + 2);

    await pick('S2', atS2);
    await waitFor(async () => (await orderStatus(orderId)) === 'ready_for_pickup' || undefined, {
      what: 'order ready for pickup',
    });
    const view = await client(pickup.url, await issuer.customer(customerId)).get<{
      code: string;
      storeId: string;
    }>(`/v1/orders/${orderId}/pickup`);
    expect(view.body.storeId).toBe('S2');
    const collected = await client(pickup.url, await issuer.staff('S2')).post(
      `/v1/stores/S2/pickup/tasks/${atS2._id}/collect`,
      { code: view.body.code },
    );
    expect(collected.status).toBe(200);

    await waitFor(async () => (await orderStatus(orderId)) === 'collected' || undefined, {
      what: 'order collected',
      timeoutMs: 20_000,
    });
    const s2After = await waitFor(
      async () => {
        const l = await level('S2');
        return l.onHand === s2Before.onHand - 2 ? l : undefined;
      },
      { what: 'stock committed at S2' },
    );
    expect(s2After.reserved).toBe(s2Before.reserved);
    expect(await level('S1')).toMatchObject({ onHand: s1Before.onHand, reserved: s1Before.reserved });
  });

  it('order → ready → no-show → stock back on sale', async () => {
    const before = await level('S1');
    const orderId = await placePickupOrder('S1', 3);
    const task = await waitTask(orderId, 'S1', 'queued');
    expect((await level('S1')).available).toBe(before.available - 3);
    await pick('S1', task);
    expect(await pickup.expireDue(new Date(pickupClock.now().getTime() + 3 * DAY + 1000))).toBe(1);
    await waitFor(async () => ((await level('S1')).available === before.available ? true : undefined), {
      what: 'stock back on sale',
      timeoutMs: 20_000,
    });
    expect(await level('S1')).toMatchObject({ onHand: before.onHand, reserved: before.reserved });
    await waitFor(async () => ((await orderStatus(orderId)) === 'cancelled' ? true : undefined), {
      what: 'order cancelled after no-show',
    });
  });
});
