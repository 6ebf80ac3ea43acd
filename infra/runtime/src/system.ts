import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LevelWithSilent } from 'pino';
import {
  Authenticator,
  RevocationList,
  type AdmissionOptions,
  type AuthenticatorOptions,
  type ServiceDeps,
} from '@omni/kit';
import {
  createEmbeddedStore,
  createStore,
  mkdirPrivate,
  PRIVATE_FILE_MODE,
  type DocumentStore,
} from '@omni/store';
import { createBus, createEmbeddedBus, type EventBus, type Subscription } from '@omni/events';
import { TOPICS } from '@omni/contracts';
import { buildIdentityService, subscribeRevocations, type IdentityService } from '@omni/identity';
import { buildCatalogService, type CatalogService } from '@omni/catalog';
import { buildInventoryService, type InventoryService } from '@omni/inventory';
import { buildCustomersService, type CustomersService } from '@omni/customers';
import { buildOrdersService, type OrdersService } from '@omni/orders';
import { buildPickupService, type PickupService } from '@omni/pickup';
import { buildDispatchService, type DispatchService } from '@omni/dispatch';
import { buildVouchersService, grpcStock, type VouchersService } from '@omni/vouchers';
import { demoLocations } from './demo/city';
import { Timeline } from './timeline';

export const SERVICE_NAMES = [
  'identity',
  'catalog',
  'inventory',
  'customers',
  'orders',
  'pickup',
  'dispatch',
  'vouchers',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The same ports as each service's standalone main.ts, so URLs in docs work in both modes. */
export const FIXED_PORTS: Record<ServiceName, { http: number; grpc?: number }> = {
  catalog: { http: 8081, grpc: 50051 },
  inventory: { http: 8082, grpc: 50052 },
  customers: { http: 8083, grpc: 50053 },
  orders: { http: 8084 },
  pickup: { http: 8085 },
  dispatch: { http: 8086 },
  identity: { http: 8087 },
  vouchers: { http: 8088 },
};

export type GrpcTransport = 'in-process' | 'socket';

/** The option, else OMNI_GRPC_TRANSPORT, else in-process. */
export function grpcTransportFrom(option: GrpcTransport | undefined): GrpcTransport {
  const value = option ?? process.env.OMNI_GRPC_TRANSPORT ?? 'in-process';
  if (value !== 'in-process' && value !== 'socket')
    throw new Error(`OMNI_GRPC_TRANSPORT must be in-process or socket, got ${value}`);
  return value;
}

export interface SystemOptions {
  /** Durable data directory (store per service + the event log). Absent: everything in memory. */
  dataDir?: string;
  /** 'fixed' (the ports above, for `npm start`) or 'ephemeral' (tests). Default ephemeral. */
  ports?: 'fixed' | 'ephemeral';
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  logLevel?: LevelWithSilent;
  /** Per-service log level overrides. */
  logLevels?: Partial<Record<ServiceName, LevelWithSilent>>;
  /** Use Kafka/MongoDB instead of the embedded adapters (same code, distributed adapters). */
  kafkaBrokers?: string;
  mongoUrl?: string;
  /** Injected time for every service (tests). */
  clock?: () => Date;
  /** Fast timers for tests (offer/sweep intervals). */
  fastTimers?: boolean;
  /**
   * How orders reaches catalog, inventory and customers: 'in-process' (default: the same gRPC
   * contract, codecs, metadata and deadlines through kit's in-process channel, no sockets) or
   * 'socket' (http2 over loopback, as between processes). Env OMNI_GRPC_TRANSPORT when absent.
   */
  grpcTransport?: GrpcTransport;
  /** Keep the embedded store's fail-fast check of writes without { session } in transactions. Default: OMNI_STORE_GUARD_SESSIONS=1, else off. */
  guardStoreSessions?: boolean;
  /** Overload admission at every service's HTTP edge (kit admission.ts); absent: from OMNI_ADMISSION_*. */
  admission?: AdmissionOptions;
  /** Serve the cross-service order timeline (GET /timeline/<orderId>; port 8080 when ports are fixed). Default true. */
  timeline?: boolean;
}

export interface System {
  identity: IdentityService;
  catalog: CatalogService;
  inventory: InventoryService;
  customers: CustomersService;
  orders: OrdersService;
  pickup: PickupService;
  dispatch: DispatchService;
  vouchers: VouchersService;
  bus: EventBus;
  /** One verifier shared by every in-process service: identity's live key set + revocations. */
  authenticator: Authenticator;
  urls: Record<ServiceName, string>;
  grpcAddresses: { catalog: string; inventory: string; customers: string };
  /** Every event indexed by order (developer tool of the embedded runtime), or null when disabled. */
  timeline: Timeline | null;
  timelineUrl: string | null;
  /** Stops every service (reverse start order, graceful), then the bus. */
  stop(): Promise<void>;
}

/** Secrets the embedded runtime generates once per data dir (pickup and voucher codes must survive restarts). */
export function runtimeSecrets(dataDir: string | undefined): {
  pickupCodeSecret: Buffer;
  identityEncryptionSecret: Buffer;
  voucherCodeSecret: Buffer;
} {
  if (!dataDir)
    return {
      pickupCodeSecret: randomBytes(32),
      identityEncryptionSecret: randomBytes(32),
      voucherCodeSecret: randomBytes(32),
    };
  const file = join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    const fresh = {
      pickupCodeSecret: randomBytes(32).toString('base64'),
      identityEncryptionSecret: randomBytes(32).toString('base64'),
      voucherCodeSecret: randomBytes(32).toString('base64'),
    };
    writeFileSync(file, JSON.stringify(fresh), { mode: PRIVATE_FILE_MODE });
  }
  chmodSync(file, PRIVATE_FILE_MODE); // also when an older version left it readable
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    pickupCodeSecret: string;
    identityEncryptionSecret: string;
    voucherCodeSecret?: string;
  };
  if (!s.voucherCodeSecret) {
    // A data dir from before vouchers: add their secret once, keep the others.
    s.voucherCodeSecret = randomBytes(32).toString('base64');
    writeFileSync(file, JSON.stringify(s), { mode: PRIVATE_FILE_MODE });
  }
  return {
    pickupCodeSecret: Buffer.from(s.pickupCodeSecret, 'base64'),
    identityEncryptionSecret: Buffer.from(s.identityEncryptionSecret, 'base64'),
    voucherCodeSecret: Buffer.from(s.voucherCodeSecret, 'base64'),
  };
}

/** What one instance of a non-identity service needs besides its common deps; shared with the replica bed. */
export interface ServiceWiring {
  auth: AuthenticatorOptions | Authenticator;
  grpc: (name: ServiceName) => { host: string; port: number };
  upstreams: () => { catalog: string; inventory: string; customers: string };
  serviceToken: () => Promise<string>;
  /** Vouchers' own outgoing token (inventory:reserve, for goods vouchers). */
  vouchersToken: () => Promise<string>;
  pickupCodeSecret: Buffer;
  voucherCodeSecret: Buffer;
  fastTimers?: boolean;
}

type Common = Omit<ServiceDeps, 'auth'>;
export type AnyService =
  | CatalogService
  | InventoryService
  | CustomersService
  | OrdersService
  | PickupService
  | DispatchService
  | VouchersService;

/** Builds one instance of a service other than identity, wired as the runtime wires it. */
export function buildService(
  name: Exclude<ServiceName, 'identity'>,
  common: Common,
  w: ServiceWiring,
): AnyService {
  const auth = w.auth;
  switch (name) {
    case 'catalog':
      return buildCatalogService({ ...common, auth, grpc: w.grpc('catalog') });
    case 'inventory':
      return buildInventoryService({
        ...common,
        auth,
        grpc: w.grpc('inventory'),
        // Pickup orders stay reserved through preparation and the hold period (3 days + margin).
        settings: { maxReservationTtlSeconds: 14 * 24 * 3600 },
      });
    case 'customers':
      return buildCustomersService({ ...common, auth, grpc: w.grpc('customers') });
    case 'orders': {
      const up = w.upstreams();
      return buildOrdersService({
        ...common,
        auth,
        catalogAddress: up.catalog,
        inventoryAddress: up.inventory,
        customersAddress: up.customers,
        serviceToken: w.serviceToken,
        // The demo's simulated carrier moves a parcel along every 2 s (label → delivered in ~6 s).
        simulatedCarrier: { stepMs: 2_000 },
        timings: { carrierTrackingMs: 1_000 },
      });
    }
    case 'pickup':
      return buildPickupService({
        ...common,
        auth,
        codeSecret: w.pickupCodeSecret,
        // Pickup answers 404 for stores it does not know; the demo city's stores exist from the start.
        stores: demoLocations()
          .filter((l) => l.type === 'store')
          .map((l) => l.id),
      });
    case 'dispatch':
      return buildDispatchService({
        ...common,
        auth,
        ...(w.fastTimers ? { settings: { tickMs: 100 } } : {}),
      });
    case 'vouchers':
      return buildVouchersService({
        ...common,
        auth,
        codeSecret: w.voucherCodeSecret,
        // Vouchers are redeemed at the demo city's stores; any other store id is 404.
        stores: demoLocations()
          .filter((l) => l.type === 'store')
          .map((l) => l.id),
        stock: grpcStock({ address: w.upstreams().inventory, serviceToken: w.vouchersToken }),
      });
  }
}

/**
 * Starts every Omni service in this process, each on its own HTTP (and gRPC) port, over one shared
 * event bus (the embedded log plays the broker) and a store per service — the same wiring as the
 * distributed deployment, only the adapters differ.
 */
export async function startSystem(opts: SystemOptions = {}): Promise<System> {
  const host = opts.host ?? '127.0.0.1';
  const fixed = opts.ports === 'fixed';
  // Owner-only: it holds password hashes, customer PII, pickup verifiers and the runtime secrets.
  if (opts.dataDir) await mkdirPrivate(opts.dataDir);
  const secrets = runtimeSecrets(opts.dataDir);
  const inProcess = grpcTransportFrom(opts.grpcTransport) === 'in-process';
  const bus: EventBus = opts.kafkaBrokers
    ? createBus({ kind: 'kafka', brokers: opts.kafkaBrokers.split(','), clientId: 'omni-runtime' })
    : createEmbeddedBus({ dir: opts.dataDir ? join(opts.dataDir, 'events') : undefined, retryDelayMs: 500 });
  await bus.ensureTopics([...TOPICS, { name: 'omni.deadletter', partitions: 1 }]);

  const storeFor = (name: ServiceName): DocumentStore =>
    opts.mongoUrl
      ? createStore({ kind: 'mongo', url: opts.mongoUrl, dbName: `omni_${name}` })
      : createEmbeddedStore({
          dir: opts.dataDir ? join(opts.dataDir, name, 'store') : undefined,
          // The session guard's AsyncLocalStorage costs every promise in the process; services'
          // own tests keep it, which is where a missing { session } is caught.
          guardSessions: opts.guardStoreSessions ?? process.env.OMNI_STORE_GUARD_SESSIONS === '1',
        });
  const http = (name: ServiceName) => ({ host, port: fixed ? FIXED_PORTS[name].http : 0 });
  const grpc = (name: ServiceName) => ({ host, port: fixed ? (FIXED_PORTS[name].grpc ?? 0) : 0 });
  const level = (name: ServiceName) => opts.logLevels?.[name] ?? opts.logLevel ?? 'info';
  const common = (name: ServiceName) => ({
    store: storeFor(name),
    bus,
    ownsBus: false,
    http: http(name),
    logLevel: level(name),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.admission ? { admission: opts.admission } : {}),
  });

  const started: Array<{ stop(): Promise<void> }> = [];
  const revocationSubs: Subscription[] = [];
  try {
    const identity = buildIdentityService({
      ...common('identity'),
      encryptionSecret: secrets.identityEncryptionSecret,
      revocationGroup: 'runtime-identity-revocations',
    });
    await identity.start();
    started.push(identity);

    // Every other service verifies identity's tokens against its live key set, and learns
    // revocations from its events within the bus latency.
    const revocations = new RevocationList();
    const authenticator = new Authenticator({ ...identity.authOptions(revocations) });
    // A group of its own per process start replays the retained revocations, so a restart forgets none.
    revocationSubs.push(
      await subscribeRevocations(bus, revocations, { group: `runtime-revocations-${randomUUID()}` }),
    );
    const wiring: ServiceWiring = {
      auth: authenticator,
      grpc,
      upstreams: () =>
        inProcess
          ? {
              catalog: catalog.grpcInProcessAddress,
              inventory: inventory.grpcInProcessAddress,
              customers: customers.grpcInProcessAddress,
            }
          : {
              catalog: catalog.grpcAddress,
              inventory: inventory.grpcAddress,
              customers: customers.grpcAddress,
            },
      serviceToken: () => identity.issueServiceToken('orders'),
      vouchersToken: () => identity.issueServiceToken('vouchers'),
      pickupCodeSecret: secrets.pickupCodeSecret,
      voucherCodeSecret: secrets.voucherCodeSecret,
      fastTimers: opts.fastTimers,
    };
    const catalog = buildService('catalog', common('catalog'), wiring) as CatalogService;
    const inventory = buildService('inventory', common('inventory'), wiring) as InventoryService;
    const customers = buildService('customers', common('customers'), wiring) as CustomersService;
    await Promise.all([catalog.start(), inventory.start(), customers.start()]);
    started.push(catalog, inventory, customers);

    const orders = buildService('orders', common('orders'), wiring) as OrdersService;
    const pickup = buildService('pickup', common('pickup'), wiring) as PickupService;
    const dispatch = buildService('dispatch', common('dispatch'), wiring) as DispatchService;
    const vouchers = buildService('vouchers', common('vouchers'), wiring) as VouchersService;
    await Promise.all([orders.start(), pickup.start(), dispatch.start(), vouchers.start()]);
    started.push(orders, pickup, dispatch, vouchers);

    let timeline: Timeline | null = null;
    let timelineUrl: string | null = null;
    if (opts.timeline !== false) {
      const t = new Timeline(
        bus,
        createEmbeddedStore({ dir: opts.dataDir ? join(opts.dataDir, 'runtime', 'store') : undefined }),
      );
      await t.start();
      // Customer names and addresses: ops only, verified like every service verifies tokens.
      const port = await t.listen(host, fixed ? 8080 : 0, (token) => authenticator.verify(token));
      started.push(t);
      timeline = t;
      timelineUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/timeline`;
    }

    const url = (s: { httpPort: number }) =>
      `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${s.httpPort}`;
    const addr = (s: { grpcPort: number }) => `${host === '0.0.0.0' ? '127.0.0.1' : host}:${s.grpcPort}`;
    return {
      identity,
      catalog,
      inventory,
      customers,
      orders,
      pickup,
      dispatch,
      vouchers,
      bus,
      authenticator,
      urls: {
        identity: url(identity),
        catalog: url(catalog),
        inventory: url(inventory),
        customers: url(customers),
        orders: url(orders),
        pickup: url(pickup),
        dispatch: url(dispatch),
        vouchers: url(vouchers),
      },
      grpcAddresses: { catalog: addr(catalog), inventory: addr(inventory), customers: addr(customers) },
      timeline,
      timelineUrl,
      stop: async () => {
        for (const s of [...started].reverse()) await s.stop();
        for (const sub of revocationSubs) await sub.close();
        await bus.close();
      },
    };
  } catch (err) {
    for (const s of [...started].reverse()) await s.stop().catch(() => undefined);
    for (const sub of revocationSubs) await sub.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    throw err;
  }
}
