import { OrderConfirmed, type OrderCancelled, type OrderRerouted } from '@omni/contracts';
import {
  createEvent,
  toBusMessage,
  type CloudEvent,
  type EventBus,
  type EventData,
  type EventDefinition,
} from '@omni/events';
import { client, createTestDeps, waitFor, type TestDeps } from '@omni/testing';
import { buildPickupService, type PickupService, type PickupServiceDeps } from '../src';
import type { PickupTask } from '../src/domain/task';

export const SECRET = 'pickup-test-secret-0123456789abcdef';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private t: number = Date.parse('2030-03-01T09:00:00.000Z')) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export interface Harness {
  svc: PickupService;
  deps: TestDeps;
  clock: TestClock;
  /** Pickup events seen on the bus (by a test consumer group). */
  events: CloudEvent[];
  api: (token?: string) => ReturnType<typeof client>;
  publish: <D extends EventDefinition>(
    def: D,
    subject: string,
    data: EventData<D>,
    id?: string,
  ) => Promise<CloudEvent<EventData<D>>>;
  republish: (event: CloudEvent) => Promise<void>;
  taskOf: (orderId: string, routeAttempt?: number) => Promise<PickupTask | null>;
  waitTask: (
    orderId: string,
    pred?: (t: PickupTask) => boolean,
    routeAttempt?: number,
  ) => Promise<PickupTask>;
  waitEvent: (type: string, pred?: (e: CloudEvent) => boolean) => Promise<CloudEvent>;
  staff: (storeId: string, role?: 'clerk' | 'manager') => Promise<ReturnType<typeof client>>;
  /** Resolves once the pickup consumer has committed every orders event published so far. */
  drained: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startPickup(
  opts: Partial<PickupServiceDeps> & { bus?: EventBus } = {},
): Promise<Harness> {
  const deps = await createTestDeps(opts.bus ? { bus: opts.bus } : {});
  const clock = new TestClock();
  const svc = buildPickupService({
    store: deps.store,
    bus: deps.bus,
    auth: deps.auth,
    codeSecret: SECRET,
    clock: clock.now,
    logLevel: 'silent',
    timings: { sweepIntervalMs: 3600_000, notifyIntervalMs: 3600_000 },
    ...opts,
  });
  await svc.start();
  const events: CloudEvent[] = [];
  const sub = await deps.bus.subscribe({
    group: `test-observer-${Math.random().toString(36).slice(2)}`,
    topics: ['omni.pickup.task', 'omni.pickup.store'],
    handler: async (m) => {
      events.push(JSON.parse(m.value) as CloudEvent);
    },
  });
  const tasks = svc.store.collection<PickupTask>('pickup_tasks');
  const taskOf = async (orderId: string, routeAttempt?: number) => {
    const found = await tasks.find(routeAttempt === undefined ? { orderId } : { orderId, routeAttempt }, {
      sort: { routeAttempt: -1 },
      limit: 1,
    });
    return found[0] ?? null;
  };
  // Every orders event lives on one topic keyed by order id.
  const republish = async (event: CloudEvent) =>
    deps.bus.publish(OrderConfirmed.topic, [toBusMessage(event)]);
  return {
    svc,
    deps,
    clock,
    events,
    api: (token) => client(svc.url, token),
    publish: async (def, subject, data, id) => {
      const event = createEvent(def, {
        source: '/omni/orders',
        subject,
        data,
        ...(id ? { id } : {}),
      }) as CloudEvent<EventData<typeof def>>;
      await deps.bus.publish(def.topic, [toBusMessage(event)]);
      return event;
    },
    republish,
    taskOf,
    waitTask: (orderId, pred = () => true, routeAttempt) =>
      waitFor(
        async () => {
          const t = await taskOf(orderId, routeAttempt);
          return t && pred(t) ? t : undefined;
        },
        { what: `task of ${orderId}` },
      ),
    waitEvent: (type, pred = () => true) =>
      waitFor(() => events.find((e) => e.type === type && pred(e)), { what: type }),
    drained: async () => {
      await waitFor(
        async () => {
          const mine = (await deps.bus.lag()).filter(
            (l) => l.group === 'pickup' && l.topic === OrderConfirmed.topic,
          );
          return mine.length > 0 && mine.every((l) => l.lag === 0);
        },
        { what: 'pickup consumer to catch up' },
      );
    },
    staff: async (storeId, role = 'clerk') =>
      client(svc.url, await deps.issuer.staff(storeId, role, `${role}-${storeId}`)),
    stop: async () => {
      await sub.close();
      await svc.stop();
    },
  };
}

let orderSeq = 0;
export function orderId(prefix = 'ord'): string {
  orderSeq++;
  return `${prefix}-${Date.now().toString(36)}-${orderSeq}`;
}

export function confirmedData(
  id: string,
  storeId: string,
  over: Partial<EventData<typeof OrderConfirmed>> = {},
): EventData<typeof OrderConfirmed> {
  return {
    orderId: id,
    customerId: 'cust-1',
    customerName: 'Ada L.',
    channel: 'online',
    fulfilment: { method: 'pickup', locationId: storeId },
    reservationId: `res-${id}`,
    lines: [
      { sku: 'SKU-A', qty: 2, unitPrice: { amountMinor: 500, currency: 'EUR' }, name: 'Apples' },
      { sku: 'SKU-B', qty: 1, unitPrice: { amountMinor: 900, currency: 'EUR' } },
    ],
    total: { amountMinor: 1900, currency: 'EUR' },
    payment: { method: 'card', amountDue: { amountMinor: 1900, currency: 'EUR' } },
    routeAttempt: 0,
    ...over,
  };
}

export type RerouteData = EventData<typeof OrderRerouted>;
export type CancelData = EventData<typeof OrderCancelled>;

/** Publishes a pickup order and waits for its task. */
export async function placeTask(
  h: Harness,
  storeId: string,
  over: Partial<EventData<typeof OrderConfirmed>> = {},
): Promise<PickupTask> {
  const id = over.orderId ?? orderId();
  await h.publish(OrderConfirmed, id, confirmedData(id, storeId, over));
  return h.waitTask(id);
}

/** Drives a task to ready through HTTP; returns the task id. */
export async function readyTask(
  h: Harness,
  storeId: string,
  over: Partial<EventData<typeof OrderConfirmed>> = {},
): Promise<PickupTask> {
  const task = await placeTask(h, storeId, over);
  const api = await h.staff(storeId);
  const base = `/v1/stores/${storeId}/pickup/tasks/${task._id}`;
  expect200(await api.post(`${base}/start`));
  for (const line of task.lines) expect200(await api.post(`${base}/lines`, { sku: line.sku, qty: line.qty }));
  expect200(await api.post(`${base}/ready`));
  return (await h.taskOf(task.orderId))!;
}

function expect200(res: { status: number; body: unknown }): void {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
}

/** The code the customer sees (through the customer route). */
export async function customerCode(h: Harness, task: PickupTask): Promise<{ code: string; qr: string }> {
  const res = await h
    .api(await h.deps.issuer.customer(task.customerId ?? 'cust-1'))
    .get<{ code: string; qr: string }>(`/v1/orders/${task.orderId}/pickup`);
  if (res.status !== 200) throw new Error(`customer pickup: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function wrongCodeFor(code: string): string {
  return code === '000000' ? '000001' : '000000';
}
