import { inventoryEvents } from '@omni/contracts';
import type { CloudEvent, EventBus } from '@omni/events';
import type { FaultOptions } from '@omni/store';
import { createGrpcClient, type PromiseClient } from '@omni/kit';
import { inventory as proto } from '@omni/proto';
import { client, createTestDeps, type TestDeps, waitFor } from '@omni/testing';
import {
  buildInventoryService,
  seedInventory,
  type InventoryService,
  type InventorySettings,
  type LocationInput,
} from '../src';

export type Api = ReturnType<typeof client>;
export type InventoryClient = PromiseClient<typeof proto.InventoryServiceService>;

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public current = new Date('2025-03-01T10:00:00.000Z')) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
}

export interface Harness {
  svc: InventoryService;
  deps: TestDeps;
  clock: TestClock;
  ops: Api;
  anon: Api;
  /** Orders' service token: inventory:reserve + inventory:read. */
  orders: Api;
  grpc: InventoryClient;
  grpcAs(token: string): InventoryClient;
  stop(): Promise<void>;
}

/** The real service on ephemeral ports with a memory store and an embedded bus. */
export async function startInventory(
  opts: { settings?: Partial<InventorySettings>; storeFaults?: FaultOptions } = {},
): Promise<Harness> {
  const deps = await createTestDeps(opts.storeFaults ? { storeFaults: opts.storeFaults } : {});
  const clock = new TestClock();
  const svc = buildInventoryService({
    store: deps.store,
    bus: deps.bus,
    auth: deps.auth,
    logLevel: 'silent',
    clock: clock.now,
    settings: { expirySweepMs: 60_000, ...opts.settings },
  });
  await svc.start();
  const ordersToken = await deps.issuer.service('orders', 'inventory:reserve inventory:read');
  const clients: InventoryClient[] = [];
  const grpcAs = (token: string) => {
    const c = createGrpcClient(proto.InventoryServiceService, svc.grpcAddress, {
      token: () => token,
      deadlineMs: 30_000,
    });
    clients.push(c);
    return c;
  };
  return {
    svc,
    deps,
    clock,
    ops: client(svc.url, await deps.issuer.ops()),
    anon: client(svc.url),
    orders: client(svc.url, ordersToken),
    grpc: grpcAs(ordersToken),
    grpcAs,
    stop: async () => {
      for (const c of clients) c.close();
      await svc.stop();
    },
  };
}

const address = (city: string) => ({ lines: ['1 Main St'], city, postalCode: '10115', country: 'DE' });

/** Berlin-ish demo network: a warehouse that ships, two stores with pickup and local delivery, one far away. */
export const LOCATIONS: LocationInput[] = [
  {
    id: 'WH1',
    name: 'Central warehouse',
    type: 'warehouse',
    address: address('Berlin'),
    geo: { lat: 52.4, lng: 13.6 },
    capabilities: ['ships'],
  },
  {
    id: 'S1',
    name: 'Store Mitte',
    type: 'store',
    address: address('Berlin'),
    geo: { lat: 52.52, lng: 13.405 },
    capabilities: ['pickup', 'local-delivery'],
  },
  {
    id: 'S2',
    name: 'Store Kreuzberg',
    type: 'store',
    address: address('Berlin'),
    geo: { lat: 52.4986, lng: 13.4033 },
    capabilities: ['pickup', 'local-delivery'],
  },
  {
    id: 'S3',
    name: 'Store Hamburg',
    type: 'store',
    address: address('Hamburg'),
    geo: { lat: 53.55, lng: 9.99 },
    capabilities: ['pickup'],
  },
];

export async function seedDemo(
  h: Harness,
  stock: Array<{
    sku: string;
    locationId: string;
    onHand: number;
    safetyStock?: number;
    reorderPoint?: number;
  }>,
) {
  return seedInventory(h.svc, { locations: LOCATIONS, stock });
}

/** Records what inventory publishes, as a downstream consumer group would see it. */
export async function recordEvents(bus: EventBus, group: string) {
  const events: CloudEvent<Record<string, unknown>>[] = [];
  const topics = [...new Set(inventoryEvents.map((e) => e.topic))];
  const sub = await bus.subscribe({
    group,
    topics,
    fromBeginning: true,
    handler: async (msg) => {
      events.push(JSON.parse(msg.value) as CloudEvent<Record<string, unknown>>);
    },
  });
  const matching = (type: string, subject?: string) =>
    events.filter((e) => e.type === type && (subject === undefined || e.subject === subject));
  return {
    events,
    ofType: matching,
    waitFor: (type: string, n: number, subject?: string) =>
      waitFor(() => (matching(type, subject).length >= n ? matching(type, subject) : undefined), {
        what: `${n} × ${type}`,
        timeoutMs: 15_000,
      }),
    close: () => sub.close(),
  };
}

export const T = {
  stockChanged: 'omni.inventory.stock.changed.v1',
  availabilityChanged: 'omni.inventory.stock.availability-changed.v1',
  lowStock: 'omni.inventory.stock.low.v1',
  reservationCreated: 'omni.inventory.reservation.created.v1',
  reservationCommitted: 'omni.inventory.reservation.committed.v1',
  reservationReleased: 'omni.inventory.reservation.released.v1',
  reservationExpired: 'omni.inventory.reservation.expired.v1',
  reservationAtRisk: 'omni.inventory.reservation.at-risk.v1',
  transferRequested: 'omni.inventory.transfer.requested.v1',
  transferShipped: 'omni.inventory.transfer.shipped.v1',
  transferReceived: 'omni.inventory.transfer.received.v1',
  locationStatusChanged: 'omni.inventory.location.status-changed.v1',
} as const;

/** Level numbers as the API shows them. */
export async function levelOf(h: Harness, sku: string, locationId: string) {
  return h.svc.inventory.getLevel(sku, locationId);
}
