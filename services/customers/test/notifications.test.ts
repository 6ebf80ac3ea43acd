import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, waitFor } from '@omni/testing';
import { webhookSignature } from '@omni/kit';
import { createEvent, toBusMessage, type EventData, type EventDefinition } from '@omni/events';
import {
  OrderCancelled,
  OrderCompensated,
  OrderConfirmed,
  OrderLateRemedyOffered,
  OrderStatusChanged,
} from '@omni/contracts';
import { deliverCustomerNotifications } from '../src/app/notifications';
import { WebhookNotifier } from '../src/notifications/webhook-notifier';
import type { CustomerNotifier, OutboundNotification } from '../src/notifications/port';
import { createCustomer, drainConsumer, startHarness, uniq, type Harness } from './helpers';

/** Order events in → one notification per fact, visible through the API, sent through the port. */

const sent: OutboundNotification[] = [];
const recording: CustomerNotifier = { name: 'test', send: async (n) => void sent.push(n) };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ notifier: recording, notifyIntervalMs: 50 });
});
afterAll(async () => h?.stop());

interface NotificationBody {
  id: string;
  kind: string;
  orderId: string;
  status: string;
  channel?: string;
  body: string;
  data: Record<string, unknown>;
  suppressedBecause?: string;
}

async function publish<D extends EventDefinition>(def: D, subject: string, data: EventData<D>, id?: string) {
  const event = createEvent(def, { subject, data, source: '/omni/orders', ...(id ? { id } : {}) });
  await h.bus.publish(def.topic, [toBusMessage(event)]);
}

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

function confirmed(
  orderId: string,
  customerId: string,
  routeAttempt = 0,
  extra: Record<string, unknown> = {},
) {
  return {
    orderId,
    customerId,
    channel: 'online' as const,
    fulfilment: { method: 'delivery' as const, locationId: routeAttempt === 0 ? 'S01' : 'S02' },
    reservationId: `${orderId}-r${routeAttempt}`,
    lines: [{ sku: 'MUG', qty: 1, unitPrice: EUR(899) }],
    total: EUR(1398),
    payment: { method: 'card' as const, amountDue: EUR(1398) },
    routeAttempt,
    ...extra,
  };
}

async function listOf(customerId: string): Promise<NotificationBody[]> {
  const res = await client(h.svc.url, await h.issuer.customer(customerId)).get<{ items: NotificationBody[] }>(
    `/v1/customers/${customerId}/notifications?limit=50`,
  );
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('order notifications', () => {
  it('a late delivery story: each fact once, redelivered or re-announced; never a pickup code', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: `n-${uniq()}@example.com` }] });
    const o = `ord-${uniq()}`;
    const promise = { kind: 'asap', from: '2026-01-15T10:20:00.000Z', to: '2026-01-15T10:50:00.000Z' };
    await publish(OrderConfirmed, o, confirmed(o, c.id, 0, { promise }), `e1-${o}`);
    await publish(OrderConfirmed, o, confirmed(o, c.id, 0, { promise }), `e1-${o}`); // redelivered
    await publish(OrderConfirmed, o, confirmed(o, c.id, 1)); // re-routed to S02
    await publish(OrderStatusChanged, o, { orderId: o, from: 'confirmed', to: 'out_for_delivery' });
    const offer = {
      orderId: o,
      customerId: c.id,
      minutesLate: 75,
      decideBy: '2026-01-15T12:00:00.000Z',
      defaultRemedy: 'free_order' as const,
    };
    await publish(OrderLateRemedyOffered, o, offer);
    const free = {
      orderId: o,
      customerId: c.id,
      kind: 'free_order' as const,
      amount: EUR(899),
      minutesLate: 75,
      chosenBy: 'customer' as const,
    };
    await publish(OrderCompensated, o, free);
    await publish(OrderCompensated, o, free); // announced twice, new event ids
    await publish(OrderStatusChanged, o, { orderId: o, from: 'out_for_delivery', to: 'delivered' });
    // old events again, after the end (redelivery out of order)
    await publish(OrderConfirmed, o, confirmed(o, c.id, 0, { promise }));
    await publish(OrderStatusChanged, o, { orderId: o, from: 'confirmed', to: 'out_for_delivery' });
    await drainConsumer(h);

    const items = await listOf(c.id);
    expect(items.map((n) => n.kind).sort()).toEqual(
      [
        'delivered',
        'late_compensated',
        'late_remedy_offered',
        'order_confirmed',
        'order_rerouted',
        'out_for_delivery',
      ].sort(),
    );
    const first = items.find((n) => n.kind === 'order_confirmed')!;
    expect(first.data).toMatchObject({ promise });
    expect(first.body).toContain(promise.from);
    expect(items.find((n) => n.kind === 'order_rerouted')!.data).toMatchObject({
      locationId: 'S02',
      routeAttempt: 1,
    });
    expect(items.find((n) => n.kind === 'late_compensated')!.data).toMatchObject({
      compensation: 'free_order',
      amount: EUR(899),
    });
    expect(items.every((n) => n.channel === 'push')).toBe(true);

    await waitFor(() => items.every((n) => sent.some((s) => s.id === n.id)) || undefined, {
      what: 'all sent',
    });
    expect(sent.filter((s) => s.orderId === o)).toHaveLength(6);
    // another customer sees none of it
    const other = await createCustomer(h, {
      identities: [{ kind: 'email', value: `n-${uniq()}@example.com` }],
    });
    expect(
      (await client(h.svc.url, await h.issuer.customer(other.id)).get(`/v1/customers/${c.id}/notifications`))
        .status,
    ).toBe(403);
  });

  it('ready for pickup never carries a code; cancelled without customer id finds the customer; preferences off → suppressed', async () => {
    const c = await createCustomer(h, {
      identities: [{ kind: 'phone', value: `+44 7700 9${String(Date.now() % 100000).padStart(5, '0')}` }],
    });
    const me = client(h.svc.url, await h.issuer.customer(c.id));
    const prefs = await me.put(`/v1/customers/${c.id}/notification-preferences`, {
      orderUpdates: true,
      channels: ['sms'],
    });
    expect(prefs.status).toBe(200);
    expect(
      (
        await me.put(`/v1/customers/${c.id}/notification-preferences`, {
          orderUpdates: 'yes',
          channels: ['sms'],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await me.put(`/v1/customers/${c.id}/notification-preferences`, {
          orderUpdates: true,
          channels: ['fax'],
        })
      ).status,
    ).toBe(400);

    const o = `ord-${uniq()}`;
    const pickup = { ...confirmed(o, c.id), fulfilment: { method: 'pickup' as const, locationId: 'S03' } };
    await publish(OrderConfirmed, o, pickup);
    await publish(OrderStatusChanged, o, { orderId: o, from: 'confirmed', to: 'ready_for_pickup' });
    await drainConsumer(h);
    const ready = (await listOf(c.id)).find((n) => n.kind === 'ready_for_pickup')!;
    expect(ready).toMatchObject({ channel: 'sms', data: { status: 'ready_for_pickup', storeId: 'S03' } });
    expect(Object.keys(ready.data)).not.toContain('code');
    expect(ready.body).toContain('from the app');

    await me.put(`/v1/customers/${c.id}/notification-preferences`, {
      orderUpdates: false,
      channels: ['sms'],
    });
    await publish(OrderCancelled, o, { orderId: o, reason: 'no-show', refund: EUR(0) });
    await drainConsumer(h);
    const cancelled = (await listOf(c.id)).find((n) => n.kind === 'order_cancelled')!;
    expect(cancelled).toMatchObject({ status: 'suppressed', suppressedBecause: 'order updates turned off' });
    await new Promise((r) => setTimeout(r, 200));
    expect(sent.some((s) => s.id === cancelled.id)).toBe(false);
  });
});

describe('webhook adapter', () => {
  let server: Server;
  let url = '';
  const received: Array<{ body: string; signature: string; key: string }> = [];
  let failFirst = 1;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failFirst-- > 0) {
          res.statusCode = 503;
          return res.end();
        }
        received.push({
          body,
          signature: String(req.headers['x-omni-signature']),
          key: String(req.headers['idempotency-key']),
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('POSTs signed JSON, retries a 503 with backoff, and a 4xx is permanent (marked failed)', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: `w-${uniq()}@example.com` }] });
    await client(h.svc.url, await h.issuer.customer(c.id)).put(
      `/v1/customers/${c.id}/notification-preferences`,
      {
        orderUpdates: true,
        channels: ['email'],
      },
    );
    const o = `ord-${uniq()}`;
    // recorded while the test notifier is the service's; sent here through the webhook adapter
    await publish(OrderConfirmed, o, confirmed(o, c.id));
    await drainConsumer(h);
    const [n] = await listOf(c.id);
    await h.svc.customers.collections.notifications.updateOne(
      { _id: n!.id },
      { $set: { status: 'pending' } },
    );
    const webhook = new WebhookNotifier({ url, secret: 'shh', backoffMs: 10, attempts: 3 });
    await deliverCustomerNotifications(
      h.svc.customers,
      { notifier: webhook },
      new Date(Date.now() + 3_600_000),
    );
    const got = received.find((r) => r.key === n!.id)!;
    expect(got.signature).toBe(webhookSignature('shh', got.body));
    const payload = JSON.parse(got.body) as { type: string; to: string; orderId: string; channel: string };
    expect(payload).toMatchObject({ type: 'customer.order_confirmed', orderId: o, channel: 'email' });
    expect(payload.to).toContain('@example.com');

    const refusing = new WebhookNotifier({ url: `${url}/x`, backoffMs: 1 });
    failFirst = 0;
    server.removeAllListeners('request');
    server.on('request', (_req, res) => {
      res.statusCode = 400;
      res.end();
    });
    await h.svc.customers.collections.notifications.updateOne(
      { _id: n!.id },
      { $set: { status: 'pending' } },
    );
    const r = await deliverCustomerNotifications(
      h.svc.customers,
      { notifier: refusing },
      new Date(Date.now() + 7_200_000),
    );
    expect(r.failed).toBeGreaterThanOrEqual(1);
    expect((await h.svc.customers.collections.notifications.findById(n!.id))!.status).toBe('failed');
  });
});
