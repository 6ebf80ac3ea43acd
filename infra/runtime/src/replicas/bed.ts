import { randomBytes } from 'node:crypto';
import type { LevelWithSilent } from 'pino';
import { Authenticator, type AuthenticatorOptions, type Service } from '@omni/kit';
import { createEmbeddedStore, type DocumentStore, type EmbeddedStoreOptions } from '@omni/store';
import { createEmbeddedBus, type EmbeddedBus, type EmbeddedBusOptions } from '@omni/events';
import { TOPICS } from '@omni/contracts';
import { buildIdentityService, type IdentityService } from '@omni/identity';
import type { CatalogService } from '@omni/catalog';
import type { InventoryService } from '@omni/inventory';
import type { CustomersService } from '@omni/customers';
import {
  buildService,
  SERVICE_NAMES,
  type AnyService,
  type ServiceName,
  type ServiceWiring,
} from '../system';
import { Timeline } from '../timeline';
import { Balancer } from './balancer';

export interface ReplicaBedOptions {
  /** Replicas per service. Default 3. */
  replicas?: number;
  logLevel?: LevelWithSilent;
  /** Dispatch ticks every 100 ms (offer timeouts, due searches). */
  fastTimers?: boolean;
  /**
   * Adapter options passed through per service: the place to switch on the embedded adapters'
   * fault modes (write conflicts at a rate, store down for N s, clock skew per replica).
   */
  adapters?: {
    bus?: EmbeddedBusOptions;
    store?: Partial<Record<ServiceName, EmbeddedStoreOptions>>;
    /** Per service and replica index: e.g. a skewed clock. */
    clock?: (name: ServiceName, replica: number) => (() => Date) | undefined;
  };
}

type Instance = IdentityService | AnyService;

export interface ReplicaBed {
  /** Every replica of every service, in start order. */
  replicas: Record<ServiceName, Instance[]>;
  /** The round-robin address of each service's HTTP API (what clients use). */
  urls: Record<ServiceName, string>;
  /** One embedded store per service, shared by its replicas; one bus for all. */
  stores: Record<ServiceName, DocumentStore>;
  bus: EmbeddedBus;
  timelineUrl: string;
  /** What seedDemo needs: in-process seeding through replica 0 of each, HTTP through the balancers. */
  seedTarget: {
    identity: IdentityService;
    catalog: CatalogService;
    inventory: InventoryService;
    customers: CustomersService;
    urls: Record<ServiceName, string>;
  };
  /** Takes replica `i` of a service out of rotation and stops it (as a pod being deleted). */
  kill(name: ServiceName, i: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The replica test bed: every service as N replicas in this process, each with its own HTTP/gRPC
 * ports, timers, socket hub and memory, over one store per service and one bus — production's
 * topology with the embedded adapters. Clients and services reach a service through a round-robin
 * balancer, and every service except identity verifies tokens as its main.ts does (identity's JWKS
 * over HTTP, no shared in-process authenticator), so whatever only worked because the all-in-one
 * runtime shares memory fails here.
 */
export async function startReplicaBed(opts: ReplicaBedOptions = {}): Promise<ReplicaBed> {
  const n = opts.replicas ?? 3;
  const level = opts.logLevel ?? 'silent';
  const bus = createEmbeddedBus({ retryDelayMs: 200, ...opts.adapters?.bus });
  await bus.ensureTopics([...TOPICS, { name: 'omni.deadletter', partitions: 1 }]);
  const stores = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, createEmbeddedStore(opts.adapters?.store?.[name] ?? {})]),
  ) as unknown as Record<ServiceName, DocumentStore>;
  const balancers = Object.fromEntries(SERVICE_NAMES.map((name) => [name, new Balancer('http')])) as Record<
    ServiceName,
    Balancer
  >;
  const grpcBalancers = {
    catalog: new Balancer('tcp'),
    inventory: new Balancer('tcp'),
    customers: new Balancer('tcp'),
  };
  for (const b of [...Object.values(balancers), ...Object.values(grpcBalancers)]) await b.listen();
  const urls = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${balancers[name].port}`]),
  ) as Record<ServiceName, string>;

  const replicas = Object.fromEntries(SERVICE_NAMES.map((name) => [name, []])) as unknown as Record<
    ServiceName,
    Instance[]
  >;
  const started: Instance[] = [];
  const common = (name: ServiceName, i: number) => {
    const clock = opts.adapters?.clock?.(name, i);
    return {
      store: stores[name],
      bus,
      ownsBus: false,
      ownsStore: false,
      http: { host: '127.0.0.1', port: 0 },
      logLevel: level,
      ...(clock ? { clock } : {}),
    };
  };
  const register = (name: ServiceName, svc: Instance): void => {
    replicas[name].push(svc);
    started.push(svc);
    balancers[name].add(svc.httpPort);
    if (name in grpcBalancers && svc.grpcPort)
      grpcBalancers[name as keyof typeof grpcBalancers].add(svc.grpcPort);
  };
  let timeline: Timeline | null = null;

  const stopAll = async (): Promise<void> => {
    for (const s of [...started].reverse()) await s.stop().catch(() => undefined);
    await timeline?.stop().catch(() => undefined);
    for (const b of [...Object.values(balancers), ...Object.values(grpcBalancers)]) await b.close();
    await bus.close();
    for (const s of Object.values(stores)) await s.close().catch(() => undefined);
  };

  try {
    const encryptionSecret = randomBytes(32);
    // Identity first, one replica at a time (the first creates the signing key the others load).
    for (let i = 0; i < n; i++) {
      const identity = buildIdentityService({ ...common('identity', i), encryptionSecret });
      await identity.start();
      register('identity', identity);
    }
    const identity0 = replicas.identity[0] as IdentityService;
    const wiring: ServiceWiring = {
      // As every main.ts: identity's key set over HTTP, revocations learnt by the service itself.
      auth: {
        keys: { jwksUrl: `${urls.identity}/.well-known/jwks.json` },
        issuer: identity0.settings.issuer,
        audience: identity0.settings.audience,
      },
      grpc: () => ({ host: '127.0.0.1', port: 0 }),
      upstreams: () => ({
        catalog: `127.0.0.1:${grpcBalancers.catalog.port}`,
        inventory: `127.0.0.1:${grpcBalancers.inventory.port}`,
        customers: `127.0.0.1:${grpcBalancers.customers.port}`,
      }),
      serviceToken: () => identity0.issueServiceToken('orders'),
      vouchersToken: () => identity0.issueServiceToken('vouchers'),
      pickupCodeSecret: randomBytes(32),
      voucherCodeSecret: randomBytes(32),
      fastTimers: opts.fastTimers,
    };
    for (const name of [
      'catalog',
      'inventory',
      'customers',
      'orders',
      'pickup',
      'dispatch',
      'vouchers',
    ] as const) {
      const batch = Array.from({ length: n }, (_, i) => buildService(name, common(name, i), wiring));
      await Promise.all(batch.map((s) => s.start()));
      for (const s of batch) register(name, s);
    }
    timeline = new Timeline(bus, createEmbeddedStore());
    await timeline.start();
    // Ops only, as in the runtime: the timeline carries customer names and addresses.
    const timelineAuth = new Authenticator(wiring.auth as AuthenticatorOptions);
    const timelinePort = await timeline.listen('127.0.0.1', 0, (token) => timelineAuth.verify(token));

    return {
      replicas,
      urls,
      stores,
      bus,
      timelineUrl: `http://127.0.0.1:${timelinePort}/timeline`,
      seedTarget: {
        identity: identity0,
        catalog: replicas.catalog[0] as CatalogService,
        inventory: replicas.inventory[0] as InventoryService,
        customers: replicas.customers[0] as CustomersService,
        urls,
      },
      kill: async (name, i) => {
        const svc = replicas[name][i] as Service;
        balancers[name].drop(svc.httpPort);
        if (name in grpcBalancers) grpcBalancers[name as keyof typeof grpcBalancers].drop(svc.grpcPort);
        await svc.stop();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
