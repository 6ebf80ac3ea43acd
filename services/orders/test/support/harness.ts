import {
  createEvent,
  parseEvent,
  toBusMessage,
  type CloudEvent,
  type EventBus,
  type EventData,
  type EventDefinition,
  type Subscription,
} from '@omni/events';
import type { DocumentStore } from '@omni/store';
import { DeliveryZoneChanged } from '@omni/contracts';
import { client, createTestDeps, TestTokenIssuer, waitFor } from '@omni/testing';
import { buildOrdersService, type OrdersService, type OrdersServiceDeps } from '../../src';
import type { CarrierPort } from '../../src/carrier/port';
import type { OrderDoc } from '../../src/domain/types';
import { SimulatedCardProvider } from '../../src/payment/simulated-card';
import type { OrdersPolicy, OrdersTimings } from '../../src/settings';
import { FakeCatalog } from './fake-catalog';
import { FakeCustomers } from './fake-customers';
import { FakeInventory } from './fake-inventory';

/** Timings that keep tests fast: short backoff, quick resume, short deadlines. */
export const FAST_TIMINGS: Partial<OrdersTimings> = {
  stepTimeoutMs: 2_000,
  maxStepAttempts: 3,
  retryBaseMs: 5,
  retryMaxMs: 50,
  leaseSlackMs: 200,
  resumeIntervalMs: 100,
  placeWaitMs: 10_000,
  commandWaitMs: 10_000,
  lookupTimeoutMs: 2_000,
};

/** 1 km east of the center point is this many degrees of longitude. */
export const CENTER = { lat: 52.52, lng: 13.405 };
export const east = (km: number) => ({
  lat: CENTER.lat,
  lng: CENTER.lng + km / (111.32 * Math.cos((CENTER.lat * Math.PI) / 180)),
});
export const ADDRESS = {
  lines: ['Unter den Linden 1'],
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
  geo: CENTER,
};

/**
 * A small world: a warehouse 20 km out (ships, delivers), store S1 at the center (pickup, delivery,
 * ships), S2 2 km east and S3 8 km east (pickup, delivery); SKUs TEE, MUG, CAP with stock; OLD not
 * sellable; customers C1 (5000 points) and C2.
 */
export function seedWorld(inv: FakeInventory, cat: FakeCatalog, cus: FakeCustomers): void {
  inv
    .addLocation('W1', 'warehouse', east(20), ['ship', 'delivery'])
    .addLocation('S1', 'store', CENTER, ['pickup', 'delivery', 'ship'])
    .addLocation('S2', 'store', east(2), ['pickup', 'delivery'])
    .addLocation('S3', 'store', east(8), ['pickup', 'delivery']);
  for (const loc of ['W1', 'S1', 'S2', 'S3']) {
    inv.setStock(loc, 'TEE', 50).setStock(loc, 'MUG', 50);
  }
  inv.setStock('W1', 'CAP', 100);
  cat
    .add('TEE', 1999, { name: 'T-shirt' })
    .add('MUG', 899, { name: 'Mug' })
    .add('CAP', 1299, { name: 'Cap' })
    .add('RARE', 4999)
    .add('OLD', 500, { sellable: false, reason: 'unpublished' });
  cus.add('C1', 'Ada Lovelace', 5000).add('C2', 'Grace Hopper', 100);
}

/** A square around the center, `km` from it each way, as GeoJSON. */
export function squareAround(km: number): { type: 'Polygon'; coordinates: number[][][] } {
  const dLat = km / 111.32;
  const dLng = km / (111.32 * Math.cos((CENTER.lat * Math.PI) / 180));
  const { lat, lng } = CENTER;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lng - dLng, lat - dLat],
        [lng + dLng, lat - dLat],
        [lng + dLng, lat + dLat],
        [lng - dLng, lat + dLat],
        [lng - dLng, lat - dLat],
      ],
    ],
  };
}

export type ZoneData = EventData<typeof DeliveryZoneChanged>;

/**
 * Dispatch's zone of the small world: 10 km around the center, stores S1, S2, S3 (not the warehouse),
 * 30-minute trips by scooter (25 km/h, detour 1.3: about 9.6 km straight), 60-minute slots of 20.
 */
export function worldZone(over: Partial<ZoneData> = {}): ZoneData {
  return {
    zoneId: 'Z-CENTER',
    version: 1,
    deleted: false,
    city: 'Berlin',
    name: 'Center',
    area: squareAround(10),
    stores: [
      { storeId: 'S1', geo: CENTER },
      { storeId: 'S2', geo: east(2) },
      { storeId: 'S3', geo: east(8) },
    ],
    active: true,
    maxTripMinutes: 30,
    travel: { speedKmh: 25, detourFactor: 1.3 },
    slotMinutes: 60,
    slotCapacity: 20,
    ...over,
  };
}

/** Publishes a zone as dispatch does and waits until orders has projected that version. */
export async function publishZone(h: Pick<Harness, 'bus' | 'store'>, zone: ZoneData): Promise<void> {
  await publish(h.bus, DeliveryZoneChanged, zone.zoneId, zone);
  await waitFor(
    async () => {
      const z = await h.store
        .collection<{ _id: string; version: number }>('delivery_zones')
        .findById(zone.zoneId);
      return z && z.version >= zone.version ? true : undefined;
    },
    { what: `zone ${zone.zoneId} v${zone.version} projected` },
  );
}

export interface Harness {
  svc: OrdersService;
  store: DocumentStore;
  bus: EventBus;
  issuer: TestTokenIssuer;
  inventory: FakeInventory;
  catalog: FakeCatalog;
  customers: FakeCustomers;
  payments: SimulatedCardProvider;
  events: EventLog;
  deps: OrdersServiceDeps;
  /** Starts another orders instance on the same store/bus (after a crash). */
  restart(overrides?: Partial<OrdersServiceDeps>): Promise<OrdersService>;
  order(id: string): Promise<OrderDoc>;
  stop(): Promise<void>;
}

export async function startHarness(
  opts: {
    policy?: Partial<OrdersPolicy>;
    timings?: Partial<OrdersTimings>;
    seed?: boolean;
    /** Changes to the world's delivery zone. */
    zone?: Partial<ZoneData>;
    carrier?: CarrierPort;
  } = {},
): Promise<Harness> {
  const { store, bus, issuer } = await createTestDeps();
  const [inventory, catalog, customers] = await Promise.all([
    FakeInventory.start(issuer),
    FakeCatalog.start(issuer),
    FakeCustomers.start(issuer),
  ]);
  if (opts.seed !== false) seedWorld(inventory, catalog, customers);
  const payments = new SimulatedCardProvider();
  const token = await issuer.service(
    'orders',
    'catalog:read inventory:read inventory:reserve customers:read customers:write',
  );
  const deps: OrdersServiceDeps = {
    store,
    bus,
    auth: issuer.authOptions,
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    catalogAddress: catalog.address,
    inventoryAddress: inventory.address,
    customersAddress: customers.address,
    serviceToken: async () => token,
    payments,
    ...(opts.carrier ? { carrier: opts.carrier } : {}),
    timings: { ...FAST_TIMINGS, ...opts.timings },
    policy: opts.policy,
    // the bus is closed by the harness (other instances may share it)
    ownsBus: false,
    ownsStore: false,
  };
  const events = await EventLog.start(bus);
  const instances: OrdersService[] = [];
  const svc = buildOrdersService(deps);
  await svc.start();
  instances.push(svc);
  if (opts.seed !== false) await publishZone({ bus, store }, worldZone(opts.zone));
  const h: Harness = {
    svc,
    store,
    bus,
    issuer,
    inventory,
    catalog,
    customers,
    payments,
    events,
    deps,
    async restart(overrides = {}) {
      const next = buildOrdersService({ ...deps, ...overrides });
      await next.start();
      instances.push(next);
      h.svc = next;
      return next;
    },
    async order(id) {
      const o = await store.collection<OrderDoc>('orders').findById(id);
      if (!o) throw new Error(`no order ${id}`);
      return o;
    },
    async stop() {
      await events.close();
      for (const i of instances.reverse()) await i.stop().catch(() => undefined);
      await Promise.all([inventory.close(), catalog.close(), customers.close()]);
      await bus.close();
      await store.close();
    },
  };
  return h;
}

/** Everything the orders service published, for assertions. */
export class EventLog {
  private constructor(
    private readonly sub: Subscription,
    readonly all: CloudEvent[],
  ) {}

  static async start(bus: EventBus): Promise<EventLog> {
    const all: CloudEvent[] = [];
    await bus.ensureTopics([
      { name: 'omni.orders.order', partitions: 8 },
      { name: 'omni.orders.return', partitions: 8 },
    ]);
    const sub = await bus.subscribe({
      group: `test-observer-${Math.random().toString(36).slice(2)}`,
      topics: ['omni.orders.order', 'omni.orders.return'],
      fromBeginning: true,
      handler: async (msg) => {
        all.push(parseEvent(msg.value));
      },
    });
    return new EventLog(sub, all);
  }

  of<D extends EventDefinition>(def: D, orderId?: string): Array<CloudEvent<EventData<D>>> {
    return this.all.filter(
      (e) => e.type === def.type && (orderId === undefined || e.subject === orderId),
    ) as Array<CloudEvent<EventData<D>>>;
  }

  /** Waits until `count` events of `def` about the order were published. */
  waitFor<D extends EventDefinition>(
    def: D,
    orderId: string,
    count = 1,
  ): Promise<Array<CloudEvent<EventData<D>>>> {
    return waitFor(
      () => {
        const found = this.of(def, orderId);
        return found.length >= count ? found : undefined;
      },
      { what: `${count} × ${def.type} for ${orderId}` },
    );
  }

  close(): Promise<void> {
    return this.sub.close();
  }
}

/** Publishes an event as another service would (returns it, to publish again for redelivery tests). */
export async function publish<D extends EventDefinition>(
  bus: EventBus,
  def: D,
  subject: string,
  data: EventData<D>,
  opts: { id?: string; time?: string } = {},
): Promise<CloudEvent<EventData<D>>> {
  const event = createEvent(def, {
    source: '/test',
    subject,
    data,
    ...(opts.id ? { id: opts.id } : {}),
    ...(opts.time ? { time: opts.time } : {}),
  });
  await bus.ensureTopics([{ name: def.topic, partitions: 8 }]);
  await bus.publish(def.topic, [toBusMessage(event)]);
  return event as CloudEvent<EventData<D>>;
}

export async function republish(bus: EventBus, topic: string, event: CloudEvent): Promise<void> {
  await bus.publish(topic, [toBusMessage(event)]);
}

export function api(h: Harness, token: string) {
  return client(h.svc.url, token);
}

let keySeq = 0;
/** A fresh Idempotency-Key header. */
export function key(prefix = 'k'): { 'idempotency-key': string } {
  return { 'idempotency-key': `${prefix}-${Date.now()}-${++keySeq}` };
}

/** Waits until the order satisfies `probe` (the saga or an event handler got there). */
export async function waitForOrder(
  h: Harness,
  id: string,
  probe: (o: OrderDoc) => boolean,
  what = 'order state',
): Promise<OrderDoc> {
  return waitFor(
    async () => {
      const o = await h.order(id);
      return probe(o) && !o.active ? o : undefined;
    },
    { what: `${what} of ${id}` },
  );
}
