import { OrderCancelled, OrderConfirmed } from '@omni/contracts';
import {
  createEvent,
  toBusMessage,
  type CloudEvent,
  type EventData,
  type EventDefinition,
} from '@omni/events';
import { client, createTestDeps, waitFor, type TestDeps } from '@omni/testing';
import { buildVouchersService, type VouchersService, type VouchersServiceDeps } from '../src';

export const SECRET = 'vouchers-test-secret-0123456789abcdef';
export const STORES = ['S01', 'S02', 'S03'];

/** A clock the test moves by hand (a Wednesday, 09:00 UTC). */
export class TestClock {
  constructor(private t: number = Date.parse('2030-03-06T09:00:00.000Z')) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}

export const DAY = 86_400_000;

export interface CustomerVoucher {
  voucherId: string;
  status: string;
  code: string | null;
  qr: string | null;
  remaining: { amountMinor: number; currency: string };
}

export interface Harness {
  svc: VouchersService;
  deps: TestDeps;
  clock: TestClock;
  events: CloudEvent[];
  ops: ReturnType<typeof client>;
  clerk: (storeId: string, sub?: string) => Promise<ReturnType<typeof client>>;
  customer: (customerId: string) => Promise<ReturnType<typeof client>>;
  createOffer: (body: Record<string, unknown>) => Promise<void>;
  /** Publishes an order confirmation with voucher lines and waits for its vouchers. */
  buy: (
    orderId: string,
    sku: string,
    qty: number,
    opts?: { customerId?: string; unitPriceMinor?: number },
  ) => Promise<CustomerVoucher[]>;
  publish: <D extends EventDefinition>(def: D, subject: string, data: EventData<D>) => Promise<void>;
  waitEvent: (type: string, pred?: (e: CloudEvent) => boolean) => Promise<CloudEvent>;
  stop: () => Promise<void>;
}

export async function startVouchers(opts: Partial<VouchersServiceDeps> = {}): Promise<Harness> {
  const deps = await createTestDeps();
  const clock = new TestClock();
  const svc = buildVouchersService({
    store: deps.store,
    bus: deps.bus,
    auth: deps.auth,
    codeSecret: SECRET,
    stores: STORES,
    clock: clock.now,
    logLevel: 'silent',
    timings: { sweepIntervalMs: 3600_000 },
    ...opts,
  });
  await svc.start();
  const events: CloudEvent[] = [];
  const sub = await deps.bus.subscribe({
    group: `test-observer-${Math.random().toString(36).slice(2)}`,
    topics: ['omni.vouchers.voucher'],
    handler: async (m) => {
      events.push(JSON.parse(m.value) as CloudEvent);
    },
  });
  const ops = client(svc.url, await deps.issuer.ops());
  const publish = async <D extends EventDefinition>(def: D, subject: string, data: EventData<D>) => {
    const event = createEvent(def, { source: '/omni/orders', subject, data });
    await deps.bus.publish(def.topic, [toBusMessage(event)]);
  };
  const customer = async (customerId: string) => client(svc.url, await deps.issuer.customer(customerId));
  return {
    svc,
    deps,
    clock,
    events,
    ops,
    clerk: async (storeId, sub) =>
      client(svc.url, await deps.issuer.staff(storeId, 'clerk', sub ?? `clerk-${storeId}`)),
    customer,
    createOffer: async (body) => {
      const res = await ops.post('/v1/voucher-offers', body);
      if (res.status !== 201) throw new Error(`offer: ${res.status} ${JSON.stringify(res.body)}`);
    },
    buy: async (orderId, sku, qty, o = {}) => {
      const customerId = o.customerId ?? 'C1';
      const price = { amountMinor: o.unitPriceMinor ?? 4000, currency: 'EUR' };
      await publish(OrderConfirmed, orderId, confirmed(orderId, customerId, sku, qty, price));
      const api = await customer(customerId);
      return waitFor(
        async () => {
          const res = await api.get<{ items: CustomerVoucher[] }>(`/v1/orders/${orderId}/vouchers`);
          return res.status === 200 && res.body.items.length === qty ? res.body.items : undefined;
        },
        { what: `vouchers of ${orderId}` },
      );
    },
    publish,
    waitEvent: (type, pred = () => true) =>
      waitFor(() => events.find((e) => e.type === type && pred(e)), { what: type }),
    stop: async () => {
      await sub.close();
      await svc.stop();
    },
  };
}

export function confirmed(
  orderId: string,
  customerId: string,
  sku: string,
  qty: number,
  unitPrice: { amountMinor: number; currency: string },
): EventData<typeof OrderConfirmed> {
  return {
    orderId,
    customerId,
    channel: 'online',
    fulfilment: { method: 'ship', locationId: 'WH1' },
    reservationId: `none-${orderId}`,
    lines: [{ sku, qty, unitPrice }],
    total: { amountMinor: unitPrice.amountMinor * qty, currency: unitPrice.currency },
    payment: {
      method: 'card',
      amountDue: { amountMinor: unitPrice.amountMinor * qty, currency: unitPrice.currency },
    },
    routeAttempt: 0,
  };
}

export const cancelled = (orderId: string): EventData<typeof OrderCancelled> => ({
  orderId,
  reason: 'customer',
});

/** An offer valid through 2030 (tests start 2030-03-06). */
export function offer(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `OFF-${Math.random().toString(36).slice(2, 8)}`,
    sku: `VCH-${Math.random().toString(36).slice(2, 8)}`,
    name: 'Two coffees and a cake',
    kind: 'service',
    validFrom: '2030-01-01T00:00:00Z',
    validUntil: '2031-01-01T00:00:00Z',
    ...over,
  };
}

let seq = 0;
export const orderId = (): string => `ord-${Date.now().toString(36)}-${++seq}`;
