import { createGrpcClient, type PromiseClient } from '@omni/kit';
import { customers as pb } from '@omni/proto';
import { createEvent, toBusMessage, type CloudEvent, type EventBus, type EventData, type Subscription } from '@omni/events';
import { OrderCompleted } from '@omni/contracts';
import { client, createTestDeps, waitFor, type TestTokenIssuer } from '@omni/testing';
import { buildCustomersService, type CustomersService, type CustomersServiceDeps } from '../src';

export const T0 = new Date('2026-01-15T10:00:00.000Z');

export interface Harness {
  svc: CustomersService;
  bus: EventBus;
  issuer: TestTokenIssuer;
  /** Moves the service clock. */
  setNow(d: Date): void;
  now(): Date;
  /** A gRPC client with the token orders carries (customers:read customers:write). */
  grpc: PromiseClient<typeof pb.CustomersServiceService>;
  ops: ReturnType<typeof client>;
  /** Every customers event published so far (observed through the bus, own consumer group). */
  events: CloudEvent[];
  eventsOf(type: string, subject?: string): CloudEvent[];
  /** Publishes an OrderCompleted as orders would; returns the event (re-publish it to redeliver). */
  completeOrder(data: EventData<typeof OrderCompleted>, opts?: { id?: string }): Promise<CloudEvent>;
  republish(event: CloudEvent): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(overrides: Partial<CustomersServiceDeps> = {}): Promise<Harness> {
  const deps = await createTestDeps();
  let now = T0;
  const svc = buildCustomersService({
    store: deps.store,
    bus: deps.bus,
    auth: deps.auth,
    clock: () => now,
    expiryIntervalMs: 0,
    logLevel: 'silent',
    ...overrides,
  });
  await svc.start();
  const events: CloudEvent[] = [];
  const sub: Subscription = await deps.bus.subscribe({
    group: 'test-observer',
    topics: ['omni.customers.customer'],
    fromBeginning: true,
    handler: async (msg) => void events.push(JSON.parse(msg.value) as CloudEvent),
  });
  const serviceToken = await deps.issuer.service('orders', 'customers:read customers:write');
  const grpc = createGrpcClient(pb.CustomersServiceService, svc.grpcAddress, { token: () => serviceToken, deadlineMs: 10_000 });
  const republish = async (event: CloudEvent) => {
    const msg = toBusMessage(event);
    await deps.bus.publish(OrderCompleted.topic, [msg]);
  };
  return {
    svc,
    bus: deps.bus,
    issuer: deps.issuer,
    setNow: (d) => (now = d),
    now: () => now,
    grpc,
    ops: client(svc.url, await deps.issuer.ops()),
    events,
    eventsOf: (type, subject) => events.filter((e) => e.type === type && (subject === undefined || e.subject === subject)),
    async completeOrder(data, opts = {}) {
      const event = createEvent(OrderCompleted, { subject: data.orderId, data, source: '/omni/orders', ...(opts.id ? { id: opts.id } : {}) });
      await republish(event as CloudEvent);
      return event as CloudEvent;
    },
    republish,
    async stop() {
      grpc.close();
      await sub.close();
      await svc.stop();
    },
  };
}

export interface CustomerBody {
  id: string;
  status: string;
  name: string;
  identities: Array<{ kind: string; value: string; verified: boolean }>;
  addresses: Array<{ id: string; lines: string[]; city: string; geo?: { lat: number; lng: number } }>;
  consents: { marketingEmail: { granted: boolean; updatedAt: string }; marketingSms: { granted: boolean; updatedAt: string } };
  level: string;
  points: number;
  lifetimePoints: number;
  resolvedFrom?: string;
}

export interface CreatedBody {
  customer: CustomerBody;
  result: string;
  merges: Array<{ mergeId: string; survivorId: string; mergedId: string; alreadyMerged: boolean }>;
}

let seq = 0;
/** A unique suffix so tests in one file never collide on identities. */
export function uniq(): string {
  seq += 1;
  return `${Date.now().toString(36)}${seq}`;
}

/** Creates a customer through the API (ops token) and returns its body; fails the test on non-201. */
export async function createCustomer(h: Harness, body: Record<string, unknown>): Promise<CustomerBody> {
  const res = await h.ops.post<CreatedBody>('/v1/customers', body);
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.customer;
}

/** Waits until the consumer has applied an order's accrual (the ledger entry exists). */
export async function waitForAccrual(h: Harness, orderId: string): Promise<void> {
  await waitFor(() => h.svc.customers.collections.ledger.findById(`accrual:${orderId}`).then((e) => e !== null), { what: `accrual of ${orderId}` });
}

/** Waits until the consumer group has no lag on the orders topic (every published event handled). */
export async function drainConsumer(h: Harness): Promise<void> {
  await waitFor(
    async () => {
      const lag = await h.bus.lag();
      return lag.filter((l) => l.group === 'customers').every((l) => l.lag === 0);
    },
    { what: 'customers consumer to catch up' },
  );
}

export function phone(n: number): string {
  return `+44 7700 9${String(n).padStart(5, '0')}`;
}
