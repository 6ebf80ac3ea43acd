import { AvailabilityChanged } from '@omni/contracts';
import { createEvent, type CloudEvent, type EventBus, type EventData } from '@omni/events';
import { client, createTestDeps, type TestDeps, waitFor } from '@omni/testing';
import { buildCatalogService, type CatalogService } from '../src';
import type { SeedProduct } from '../src/app/seed-catalog';

export type Api = ReturnType<typeof client>;

export interface Harness {
  svc: CatalogService;
  deps: TestDeps;
  /** Catalog operator (catalog:write). */
  ops: Api;
  /** No token: a storefront visitor. */
  anon: Api;
  customer: Api;
  stop(): Promise<void>;
}

/** The real service on ephemeral ports with a memory store and an embedded bus. */
export async function startCatalog(opts: { clock?: () => Date } = {}): Promise<Harness> {
  const deps = await createTestDeps();
  const svc = buildCatalogService({
    store: deps.store,
    bus: deps.bus,
    auth: deps.auth,
    logLevel: 'silent',
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await svc.start();
  return {
    svc,
    deps,
    ops: client(svc.url, await deps.issuer.ops()),
    anon: client(svc.url),
    customer: client(svc.url, await deps.issuer.customer('c-1')),
    stop: () => svc.stop(),
  };
}

/** Records what the catalog publishes, as a downstream consumer group would see it. */
export async function recordEvents(bus: EventBus, group: string, topics = ['omni.catalog.product']) {
  const events: CloudEvent<Record<string, unknown>>[] = [];
  const sub = await bus.subscribe({
    group,
    topics,
    fromBeginning: true,
    handler: async (msg) => {
      events.push(JSON.parse(msg.value) as CloudEvent<Record<string, unknown>>);
    },
  });
  return {
    events,
    ofType: (suffix: string, subject?: string) =>
      events.filter((e) => e.type.includes(`.${suffix}.`) && (subject === undefined || e.subject === subject)),
    /** Waits until `n` events of the type (for the subject) have arrived. */
    waitFor: (suffix: string, n: number, subject?: string) =>
      waitFor(
        () => {
          const found = events.filter((e) => e.type.includes(`.${suffix}.`) && (subject === undefined || e.subject === subject));
          return found.length >= n ? found : undefined;
        },
        { what: `${n} ${suffix} events`, timeoutMs: 15_000 },
      ),
    close: () => sub.close(),
  };
}

/** Publishes AvailabilityChanged as inventory does (topic omni.inventory.stock, key = SKU). */
export async function publishAvailability(
  bus: EventBus,
  data: EventData<typeof AvailabilityChanged>,
  id?: string,
): Promise<CloudEvent<EventData<typeof AvailabilityChanged>>> {
  const event = createEvent(AvailabilityChanged, { subject: data.sku, data, source: '/omni/inventory', ...(id ? { id } : {}) });
  await bus.publish(AvailabilityChanged.topic, [{ key: data.sku, value: JSON.stringify(event) }]);
  return event;
}

export const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

/** A valid product body: two SKUs sold online and in every store. */
export function productBody(id: string, over: Partial<SeedProduct> = {}) {
  return {
    id,
    name: `Product ${id}`,
    description: 'A product',
    images: ['https://img.example.com/p.jpg'],
    skus: [
      {
        sku: `${id}-S`,
        barcode: '4006381333931',
        attributes: { size: 'S' },
        prices: { online: eur(1999), store: eur(2199) },
        listing: { channels: ['online', 'store'] as Array<'online' | 'store'> },
      },
      {
        sku: `${id}-M`,
        attributes: { size: 'M' },
        prices: { online: eur(2099), store: eur(2299) },
        listing: { channels: ['online', 'store'] as Array<'online' | 'store'> },
      },
    ],
    ...over,
  };
}
