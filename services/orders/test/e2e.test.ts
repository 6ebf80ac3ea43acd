import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OrderConfirmed,
  OrderRerouted,
  PickupTaskCollected,
  PickupTaskReady,
  PickupTaskShortPicked,
  ReturnReceived,
} from '@omni/contracts';
import { createEmbeddedBus, type EventBus } from '@omni/events';
import { createEmbeddedStore } from '@omni/store';
import { client, TestTokenIssuer, waitFor } from '@omni/testing';
import { buildCatalogService, seedCatalog, type CatalogService } from '@omni/catalog';
import { buildCustomersService, seedCustomers, type CustomersService } from '@omni/customers';
import { buildInventoryService, seedInventory, type InventoryService } from '@omni/inventory';
import { buildOrdersService, SimulatedCardProvider, type OrdersService } from '../src';
import { EventLog, publish, publishZone, squareAround, worldZone } from './support/harness';

/**
 * End to end with the real catalog (prices), customers (resolve, points, merges) and inventory
 * (locations, reservations, fulfilment search) on one embedded bus, as the embedded runtime runs them;
 * pickup and dispatch are played by the test publishing their events.
 */

const address = { lines: ['1 Main St'], city: 'Berlin', postalCode: '10115', country: 'DE' };
const MITTE = { lat: 52.52, lng: 13.405 };
const KREUZBERG = { lat: 52.4986, lng: 13.4033 }; // ~2.4 km south of Mitte
const WAREHOUSE = { lat: 52.35, lng: 13.5 }; // ~20 km out

let issuer: TestTokenIssuer;
let bus: EventBus;
let catalog: CatalogService;
let customers: CustomersService;
let inventory: InventoryService;
let orders: OrdersService;
let events: EventLog;
let ada: string;
let olgaOnline: string;
let olgaCard: string;

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  bus = createEmbeddedBus({ retryDelayMs: 50 });
  const common = { bus, auth: issuer.authOptions, logLevel: 'silent' as const, ownsBus: false };
  catalog = buildCatalogService({ ...common, store: createEmbeddedStore() });
  customers = buildCustomersService({ ...common, store: createEmbeddedStore(), expiryIntervalMs: 0 });
  inventory = buildInventoryService({ ...common, store: createEmbeddedStore() });
  await Promise.all([catalog.start(), customers.start(), inventory.start()]);
  const token = await issuer.service(
    'orders',
    'catalog:read inventory:read inventory:reserve customers:read customers:write',
  );
  const ordersStore = createEmbeddedStore();
  orders = buildOrdersService({
    ...common,
    store: ordersStore,
    catalogAddress: catalog.grpcAddress,
    inventoryAddress: inventory.grpcAddress,
    customersAddress: customers.grpcAddress,
    serviceToken: async () => token,
    payments: new SimulatedCardProvider(),
    timings: { retryBaseMs: 5, retryMaxMs: 50, resumeIntervalMs: 100, leaseSlackMs: 200 },
  });
  await orders.start();
  events = await EventLog.start(bus);
  // dispatch's zone, as it announces it: Mitte and Kreuzberg deliver in the 10 km around Mitte
  await publishZone(
    { bus, store: ordersStore },
    worldZone({
      area: squareAround(10),
      stores: [
        { storeId: 'S1', geo: MITTE },
        { storeId: 'S2', geo: KREUZBERG },
      ],
    }),
  );

  const price = (amountMinor: number) => ({ online: { amountMinor, currency: 'EUR' } });
  const product = (id: string, name: string, amountMinor: number) => ({
    id,
    name,
    categoryIds: ['home'],
    images: [],
    attributes: {},
    skus: [
      {
        sku: `${id}-1`,
        attributes: {},
        images: [],
        prices: price(amountMinor),
        storePrices: [],
        listing: { channels: ['online' as const] },
      },
    ],
    publish: true,
  });
  await seedCatalog(catalog, {
    categories: [{ id: 'home', name: 'Home' }],
    products: [
      product('mug', 'Mug', 899),
      product('lamp', 'Lamp', 4999),
      product('rare', 'Rare print', 9900),
      { ...product('draft', 'Draft', 100), publish: false },
    ],
  });
  await seedInventory(inventory, {
    locations: [
      {
        id: 'W1',
        name: 'Warehouse',
        type: 'warehouse',
        address,
        geo: WAREHOUSE,
        capabilities: ['ships', 'local-delivery'],
      },
      {
        id: 'S1',
        name: 'Store Mitte',
        type: 'store',
        address,
        geo: MITTE,
        capabilities: ['pickup', 'local-delivery', 'ships'],
      },
      {
        id: 'S2',
        name: 'Store Kreuzberg',
        type: 'store',
        address,
        geo: KREUZBERG,
        capabilities: ['pickup', 'local-delivery'],
      },
    ],
    stock: [
      { sku: 'mug-1', locationId: 'W1', onHand: 100 },
      { sku: 'mug-1', locationId: 'S1', onHand: 10 },
      { sku: 'mug-1', locationId: 'S2', onHand: 10 },
      { sku: 'lamp-1', locationId: 'S1', onHand: 3 },
      { sku: 'lamp-1', locationId: 'S2', onHand: 3 },
      { sku: 'rare-1', locationId: 'W1', onHand: 20 },
    ],
  });
  const created = await seedCustomers(customers, [
    { name: 'Ada Lovelace', identities: [{ kind: 'email', value: 'ada@example.com', verified: true }] },
    { name: 'Olga Online', identities: [{ kind: 'email', value: 'olga@example.com', verified: true }] },
    { name: 'Olga Walk-in', identities: [{ kind: 'member_card', value: 'CARD-7', verified: true }] },
  ]);
  [ada, olgaOnline, olgaCard] = created.map((c) => c.customerId) as [string, string, string];
  const ops = client(customers.url, await issuer.ops());
  const credit = await ops.post(`/v1/customers/${ada}/points/adjustments`, {
    delta: 1000,
    note: 'welcome',
    operationId: 'welcome-ada',
  });
  expect(credit.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await events?.close();
  for (const s of [orders, inventory, customers, catalog]) await s?.stop().catch(() => undefined);
  await bus?.close();
});

type View = {
  id: string;
  status: string;
  customerId?: string;
  fulfilment: { locationId: string };
  total: { amountMinor: number };
  amountDue: { amountMinor: number };
};
const level = (sku: string, locationId: string) => inventory.inventory.getLevel(sku, locationId);
const points = async (customerId: string) =>
  (
    await client(customers.url, await issuer.ops()).get<{ points: number }>(
      `/v1/customers/${customerId}/points`,
    )
  ).body.points;
let seq = 0;

async function place(customerId: string, body: Record<string, unknown>) {
  return client(orders.url, await issuer.customer(customerId)).post<
    View & { type?: string; failure?: { step: string; code: string }; orderId?: string }
  >('/v1/orders', body, { headers: { 'idempotency-key': `e2e-${++seq}` } });
}
const card = { method: 'card', cardToken: 'tok_visa' };
const settled = (id: string, status: string) =>
  waitFor(
    async () => {
      const o = await orders.orders.settle(id, 1000);
      return o?.status === status && !o.active ? o : undefined;
    },
    { what: `order ${id} ${status}`, timeoutMs: 20_000 },
  );

describe('orders end to end with catalog, customers and inventory', () => {
  it('ship: catalog price, warehouse reservation, shipped → stock committed', async () => {
    const before = await level('mug-1', 'W1');
    const res = await place(ada, {
      lines: [{ sku: 'mug-1', qty: 2 }],
      fulfilment: { method: 'ship', address },
      payment: card,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      customerId: ada,
      fulfilment: { locationId: 'W1' },
      total: { amountMinor: 1798 },
    });
    expect((await level('mug-1', 'W1')).reserved).toBe(before.reserved + 2);
    const shipped = await client(orders.url, await issuer.ops()).post<View>(
      `/v1/orders/${res.body.id}/shipments`,
      { carrier: 'DHL' },
    );
    expect(shipped.body.status).toBe('shipped');
    expect(await level('mug-1', 'W1')).toMatchObject({
      onHand: before.onHand - 2,
      reserved: before.reserved,
    });
  });

  it('pickup: reserved at the chosen store; ready → collected commits the stock', async () => {
    const before = await level('lamp-1', 'S1');
    const res = await place(ada, {
      lines: [{ sku: 'lamp-1', qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S1' },
      payment: card,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.id;
    expect((await level('lamp-1', 'S1')).reserved).toBe(before.reserved + 1);
    const t = { taskId: `t-${id}`, orderId: id, storeId: 'S1', reservationId: `${id}-r0` };
    await publish(bus, PickupTaskReady, id, {
      ...t,
      holdUntil: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await settled(id, 'ready_for_pickup');
    await publish(bus, PickupTaskCollected, id, {
      ...t,
      collectedAt: new Date().toISOString(),
      offline: false,
    });
    await settled(id, 'collected');
    expect(await level('lamp-1', 'S1')).toMatchObject({
      onHand: before.onHand - 1,
      reserved: before.reserved,
    });
  });

  it('local delivery: the zone store with the shortest trip that has the basket', async () => {
    const near = { ...address, geo: { lat: 52.5, lng: 13.404 } }; // Kreuzberg is nearer
    const res = await place(ada, {
      lines: [{ sku: 'mug-1', qty: 1 }],
      fulfilment: { method: 'delivery', address: near },
      payment: { method: 'cod' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.fulfilment.locationId).toBe('S2');
    const [confirmed] = await events.waitFor(OrderConfirmed, res.body.id);
    expect(confirmed!.data.payment.method).toBe('cod');
  });

  it('unsellable SKU → 422 listing the line; payment declined → reservation released and points refunded', async () => {
    const unsellable = await place(ada, {
      lines: [
        { sku: 'draft-1', qty: 1 },
        { sku: 'mug-1', qty: 1 },
      ],
      fulfilment: { method: 'ship', address },
      payment: card,
    });
    expect(unsellable.status).toBe(422);
    expect(JSON.stringify(unsellable.body)).toContain('draft-1');

    const stock = await level('mug-1', 'W1');
    const balance = await points(ada);
    const declined = await place(ada, {
      lines: [{ sku: 'mug-1', qty: 3 }],
      fulfilment: { method: 'ship', address },
      payment: { method: 'card', cardToken: 'tok_decline' },
      pointsToRedeem: 200,
    });
    expect(declined.status).toBe(422);
    expect(declined.body.failure).toMatchObject({ step: 'authorize_payment', code: 'card-declined' });
    expect(await level('mug-1', 'W1')).toMatchObject({
      reserved: stock.reserved,
      available: stock.available,
    });
    expect(await points(ada)).toBe(balance);
    expect(balance).toBeGreaterThanOrEqual(1000);
  });

  it('short pick re-routes to the other store: new reservation there, the first released', async () => {
    const s1 = await level('mug-1', 'S1');
    const s2 = await level('mug-1', 'S2');
    const res = await place(ada, {
      lines: [{ sku: 'mug-1', qty: 2 }],
      fulfilment: { method: 'pickup', storeId: 'S1' },
      payment: card,
    });
    const id = res.body.id;
    await publish(bus, PickupTaskShortPicked, id, {
      taskId: `t-${id}`,
      orderId: id,
      storeId: 'S1',
      reservationId: `${id}-r0`,
      shortLines: [{ sku: 'mug-1', qty: 1 }],
    });
    const [rerouted] = await events.waitFor(OrderRerouted, id);
    expect(rerouted!.data).toMatchObject({ fromLocationId: 'S1', toLocationId: 'S2', routeAttempt: 1 });
    expect((await level('mug-1', 'S1')).reserved).toBe(s1.reserved);
    expect((await level('mug-1', 'S2')).reserved).toBe(s2.reserved + 2);
  });

  it('cancellation releases the stock; a return of a shipped order is received with its disposition', async () => {
    const before = await level('lamp-1', 'S2');
    const res = await place(ada, {
      lines: [{ sku: 'lamp-1', qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S2' },
      payment: card,
    });
    const cancelled = await client(orders.url, await issuer.customer(ada)).post<View>(
      `/v1/orders/${res.body.id}/cancel`,
      {},
    );
    expect(cancelled.body.status).toBe('cancelled');
    expect(await level('lamp-1', 'S2')).toMatchObject({
      reserved: before.reserved,
      available: before.available,
    });

    const shippedOrder = await place(ada, {
      lines: [{ sku: 'mug-1', qty: 1 }],
      fulfilment: { method: 'ship', address },
      payment: card,
    });
    const ops = client(orders.url, await issuer.ops());
    await ops.post(`/v1/orders/${shippedOrder.body.id}/shipments`, {});
    const ret = await client(orders.url, await issuer.customer(ada)).post<{ returnId: string }>(
      `/v1/orders/${shippedOrder.body.id}/returns`,
      { lines: [{ sku: 'mug-1', qty: 1 }] },
    );
    expect(ret.status).toBe(201);
    const received = await client(orders.url, await issuer.staff('S1', 'manager')).post(
      `/v1/orders/${shippedOrder.body.id}/returns/${ret.body.returnId}/receive`,
      {
        locationId: 'S1',
        lines: [{ sku: 'mug-1', qty: 1, disposition: 'restock' }],
      },
    );
    expect(received.status).toBe(200);
    const [ev] = await events.waitFor(ReturnReceived, shippedOrder.body.id);
    expect(ev!.data.lines).toEqual([{ sku: 'mug-1', qty: 1, disposition: 'restock' }]);
  });

  it('a merged customer sees both histories', async () => {
    const a = await place(olgaOnline, {
      lines: [{ sku: 'mug-1', qty: 1 }],
      fulfilment: { method: 'ship', address },
      payment: card,
    });
    const b = await place(olgaCard, {
      lines: [{ sku: 'mug-1', qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S1' },
      payment: card,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    const merge = await client(customers.url, await issuer.ops()).post('/v1/customers/merge', {
      customerIds: [olgaOnline, olgaCard],
      survivorId: olgaOnline,
      reason: 'same phone verified',
    });
    expect(merge.status, JSON.stringify(merge.body)).toBe(200);
    const history = await waitFor(
      async () => {
        const page = await client(orders.url, await issuer.customer(olgaOnline)).get<{ items: View[] }>(
          '/v1/orders',
        );
        return page.body.items.length === 2 ? page.body.items : undefined;
      },
      { what: 'both histories', timeoutMs: 20_000 },
    );
    expect(history.map((o) => o.id).sort()).toEqual([a.body.id, b.body.id].sort());
    expect(history.every((o) => o.customerId === olgaOnline)).toBe(true);
  });

  it('200 parallel orders for a scarce SKU: exactly the stock is confirmed, the rest refused with a reason, nothing leaks', async () => {
    const token = await issuer.ops();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client(orders.url, token).post<View & { type?: string; detail?: string }>(
          '/v1/orders',
          {
            customerId: ada,
            lines: [{ sku: 'rare-1', qty: 1 }],
            fulfilment: { method: 'ship', address },
            payment: card,
          },
          { headers: { 'idempotency-key': `rare-${i}` } },
        ),
      ),
    );
    const confirmed = results.filter((r) => r.status === 201);
    expect(confirmed.length).toBe(20);
    expect(results.filter((r) => r.status === 422).length).toBe(180);
    for (const r of results.filter((x) => x.status === 422)) expect(r.body.detail).toBeTruthy();
    expect(await level('rare-1', 'W1')).toMatchObject({ onHand: 20, reserved: 20, available: 0 });
  });
});
