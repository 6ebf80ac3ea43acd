import { createTestDeps, client, waitFor, TestTokenIssuer } from '@omni/testing';
import {
  createEvent,
  toBusMessage,
  type CloudEvent,
  type EventBus,
  type EventData,
  type EventDefinition,
} from '@omni/events';
import { NoRiderAvailable, OrderConfirmed } from '@omni/contracts';
import { buildDispatchService, type DispatchService, type DispatchSettingsInput } from '../src';
import { offsetKm, type GeoPoint } from '../src/domain/geo';
import type { Vehicle } from '../src/domain/travel';

export const T0 = Date.parse('2030-01-01T10:00:00.000Z');
export const MIN = 60_000;
export const CENTER: GeoPoint = { lat: 52.52, lng: 13.405 };
export const at = (north: number, east: number, from: GeoPoint = CENTER): GeoPoint =>
  offsetKm(from, north, east);
const pos = (p: GeoPoint): [number, number] => [p.lng, p.lat];
export function squareRing(halfKm: number, center: GeoPoint = CENTER): [number, number][] {
  const c = (n: number, e: number) => pos(offsetKm(center, n, e));
  return [
    c(-halfKm, -halfKm),
    c(-halfKm, halfKm),
    c(halfKm, halfKm),
    c(halfKm, -halfKm),
    c(-halfKm, -halfKm),
  ];
}

let sharedIssuer: TestTokenIssuer | undefined;

export type Api = ReturnType<typeof client>;

/** A dispatch service on ephemeral ports with a controllable clock and an event observer. */
export class Harness {
  readonly events: CloudEvent[] = [];
  private orderSeq = 0;

  private constructor(
    readonly svc: DispatchService,
    readonly bus: EventBus,
    readonly issuer: TestTokenIssuer,
    private readonly time: { now: number },
  ) {}

  static async start(settings: DispatchSettingsInput = {}): Promise<Harness> {
    sharedIssuer ??= await TestTokenIssuer.create();
    const deps = await createTestDeps({ issuer: sharedIssuer });
    const time = { now: T0 };
    const svc = buildDispatchService({
      store: deps.store,
      bus: deps.bus,
      auth: deps.auth,
      logLevel: 'silent',
      clock: () => new Date(time.now),
      // Timers off: tests drive time with tick(now).
      settings: { tickMs: 0, resyncMs: 0, zoneAnnounceMs: 0, ...settings },
    });
    const h = new Harness(svc, deps.bus, deps.issuer, time);
    await svc.start();
    await deps.bus.subscribe({
      group: `observer-${Math.random().toString(36).slice(2)}`,
      topics: ['omni.dispatch.delivery', 'omni.dispatch.zone'],
      handler: async (m) => {
        h.events.push(JSON.parse(m.value) as CloudEvent);
      },
    });
    return h;
  }

  stop(): Promise<void> {
    return this.svc.stop();
  }

  get url(): string {
    return this.svc.url;
  }
  get clock(): number {
    return this.time.now;
  }
  advance(ms: number): number {
    this.time.now += ms;
    return this.time.now;
  }

  async ops(): Promise<Api> {
    return client(this.url, await this.issuer.ops());
  }
  async store(storeId: string): Promise<Api> {
    return client(this.url, await this.issuer.staff(storeId, 'clerk'));
  }
  async rider(riderId: string): Promise<Api> {
    return client(this.url, await this.issuer.rider(riderId));
  }
  async customer(customerId: string): Promise<Api> {
    return client(this.url, await this.issuer.customer(customerId));
  }

  /** Publishes an event as its producer would (orders), keyed by subject. */
  async publish<D extends EventDefinition>(
    def: D,
    subject: string,
    data: EventData<D>,
    id?: string,
  ): Promise<CloudEvent> {
    const event = createEvent(def, { source: '/omni/orders', subject, data, ...(id ? { id } : {}) });
    await this.bus.publish(def.topic, [toBusMessage(event)]);
    return event;
  }

  /** Waits until dispatch's consumer has handled the event (its inbox row exists). */
  async waitHandled(event: CloudEvent): Promise<void> {
    const inbox = this.svc.store.collection('inbox');
    await waitFor(async () => (await inbox.findById(`dispatch:${event.id}`)) ?? undefined, {
      what: `handling of ${event.type} ${event.id}`,
    });
  }

  /**
   * Everything dispatch has published about an order has reached the observer: the outbox is
   * flushed, then a marker with the same key (same partition, so after them) is awaited.
   */
  async drained(orderId: string): Promise<void> {
    await this.svc.events.flush();
    const marker = await this.publish(NoRiderAvailable, orderId, {
      jobId: 'marker',
      orderId,
      storeId: 'marker',
      attempts: 0,
    });
    await waitFor(() => this.events.some((e) => e.id === marker.id), { what: 'marker' });
    this.events.splice(
      this.events.findIndex((e) => e.id === marker.id),
      1,
    );
  }

  /** Events of a type seen so far (optionally for one order). */
  eventsOf<D extends EventDefinition>(def: D, orderId?: string): Array<CloudEvent<EventData<D>>> {
    return this.events.filter(
      (e) => e.type === def.type && (orderId === undefined || e.subject === orderId),
    ) as Array<CloudEvent<EventData<D>>>;
  }

  async waitForEvent<D extends EventDefinition>(
    def: D,
    orderId: string,
    count = 1,
  ): Promise<Array<CloudEvent<EventData<D>>>> {
    return waitFor(
      () => {
        const found = this.eventsOf(def, orderId);
        return found.length >= count ? found : undefined;
      },
      { what: `${def.type} for ${orderId}` },
    );
  }

  /** A square zone of `halfKm` around `center` served by the given stores. */
  async zone(
    id: string,
    center: GeoPoint,
    stores: Array<{ storeId: string; geo: GeoPoint }>,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const res = await (
      await this.ops()
    ).post('/v1/zones', {
      id,
      city: 'berlin',
      name: id,
      area: { type: 'Polygon', coordinates: [squareRing(10, center)] },
      stores,
      ...extra,
    });
    if (res.status !== 201) throw new Error(`zone ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** Registers a rider, starts their shift and reports a location. */
  async onDutyRider(
    id: string,
    location: GeoPoint,
    opts: { vehicle?: Vehicle; capacity?: number; zoneId?: string } = {},
  ): Promise<Api> {
    const ops = await this.ops();
    const reg = await ops.post('/v1/riders', {
      id,
      name: `Rider ${id}`,
      vehicle: opts.vehicle ?? 'scooter',
      capacity: opts.capacity ?? 1,
      ...(opts.zoneId ? { zoneId: opts.zoneId } : {}),
    });
    if (reg.status !== 201) throw new Error(`rider ${id}: ${reg.status} ${JSON.stringify(reg.body)}`);
    const api = await this.rider(id);
    const shift = await api.post('/v1/riders/me/shift/start');
    if (shift.status !== 200) throw new Error(`shift ${id}: ${shift.status}`);
    await this.locate(api, location);
    return api;
  }

  async locate(api: Api, p: GeoPoint): Promise<void> {
    const res = await api.post('/v1/riders/me/location', p);
    if (res.status !== 204) throw new Error(`location: ${res.status} ${JSON.stringify(res.body)}`);
  }

  nextOrderId(prefix = 'ord'): string {
    return `${prefix}-${++this.orderSeq}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Publishes OrderConfirmed (local delivery) and waits for the job to exist. */
  async confirmedOrder(opts: {
    storeId: string;
    destination: GeoPoint;
    orderId?: string;
    customerId?: string;
    promisedInMin?: number;
    routeAttempt?: number;
    cod?: number;
  }): Promise<{ orderId: string; jobId: string }> {
    const orderId = opts.orderId ?? this.nextOrderId();
    const routeAttempt = opts.routeAttempt ?? 0;
    const total = { amountMinor: opts.cod ?? 2500, currency: 'EUR' };
    await this.publish(OrderConfirmed, orderId, {
      orderId,
      customerId: opts.customerId ?? 'cust-1',
      channel: 'online',
      fulfilment: {
        method: 'delivery',
        locationId: opts.storeId,
        geo: opts.destination,
        address: {
          lines: ['Street 1'],
          city: 'Berlin',
          postalCode: '10115',
          country: 'DE',
          geo: opts.destination,
        },
        ...(opts.promisedInMin !== undefined
          ? { promisedAt: new Date(this.time.now + opts.promisedInMin * MIN).toISOString() }
          : {}),
      },
      reservationId: `res-${orderId}`,
      lines: [{ sku: 'SKU-1', qty: 1, unitPrice: total }],
      total,
      payment:
        opts.cod !== undefined
          ? { method: 'cod', amountDue: total }
          : { method: 'card', amountDue: { amountMinor: 0, currency: 'EUR' } },
      routeAttempt,
    });
    const jobId = `${orderId}~${routeAttempt}`;
    await waitFor(async () => (await this.svc.ctx.collections.jobs.findById(jobId)) ?? undefined, {
      what: `job ${jobId}`,
    });
    return { orderId, jobId };
  }

  /** Order confirmed, store confirms and marks ready: the search runs (and offers) right away. */
  async readyJob(
    opts: Parameters<Harness['confirmedOrder']>[0],
  ): Promise<{ orderId: string; jobId: string }> {
    const o = await this.confirmedOrder(opts);
    const store = await this.store(opts.storeId);
    const ready = await store.post(`/v1/stores/${opts.storeId}/delivery-jobs/${o.jobId}/ready`);
    if (ready.status !== 200) throw new Error(`ready: ${ready.status} ${JSON.stringify(ready.body)}`);
    return o;
  }

  async job(jobId: string) {
    return (await this.svc.ctx.collections.jobs.findById(jobId))!;
  }

  /** The rider's open offer (over HTTP), or null. */
  async offerOf(api: Api): Promise<{ jobId: string; batched: boolean; late: boolean } | null> {
    const res = await api.get<{ items: Array<{ jobId: string; batched: boolean; late: boolean }> }>(
      '/v1/riders/me/offers',
    );
    return res.body.items[0] ?? null;
  }
}
