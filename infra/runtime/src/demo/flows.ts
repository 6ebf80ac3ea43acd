import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { api, eventually } from './client';
import { demoLocations, demoRiders } from './city';

/**
 * The O2O stories of the demo, driven only through the public HTTP and WebSocket APIs, as the
 * storefront, the store counter, the POS, the rider app and the customer would. Used by
 * `npm run demo` and by the end-to-end tests.
 */
export interface DemoContext {
  urls: Record<
    'identity' | 'catalog' | 'inventory' | 'customers' | 'orders' | 'pickup' | 'dispatch' | 'vouchers',
    string
  >;
  timelineUrl: string | null;
  tokens: Record<string, string>;
  customers: Array<{ name: string; customerId: string; email?: string }>;
  log: (line: string) => void;
}

interface OrderView {
  id: string;
  status: string;
  route?: { locationId: string; reason?: string };
  fulfilment?: { locationId?: string };
  routeAttempt?: number;
  total?: { amountMinor: number; currency: string };
  amountDue?: { amountMinor: number; currency: string };
  [k: string]: unknown;
}

const token = (ctx: DemoContext, key: string): string => {
  const t = ctx.tokens[key];
  if (!t) throw new Error(`no demo token "${key}"`);
  return t;
};

const customerToken = (ctx: DemoContext, index: number) => {
  const c = ctx.customers[index];
  if (!c) throw new Error(`no demo customer #${index}`);
  return { customer: c, token: token(ctx, `customer:${c.customerId}`) };
};

export async function getOrder(ctx: DemoContext, orderId: string): Promise<OrderView> {
  return api<OrderView>('GET', `${ctx.urls.orders}/v1/orders/${orderId}`, { token: token(ctx, 'ops') });
}

export async function waitForStatus(
  ctx: DemoContext,
  orderId: string,
  statuses: string[],
  timeoutMs = 20_000,
): Promise<OrderView> {
  return eventually(
    `order ${orderId} to be ${statuses.join('|')}`,
    async () => {
      const o = await getOrder(ctx, orderId);
      return statuses.includes(o.status) ? o : undefined;
    },
    timeoutMs,
  );
}

/** SKUs of published products with at least `min` units available at a store (and their available count). */
export async function skusInStock(
  ctx: DemoContext,
  storeId: string,
  min: number,
  max = Infinity,
  limit = 5,
): Promise<Array<{ sku: string; available: number }>> {
  const page = await api<{ items: Array<{ id: string }> }>(
    'GET',
    `${ctx.urls.catalog}/v1/products?limit=60&channel=online`,
  );
  const found: Array<{ sku: string; available: number }> = [];
  for (const p of page.items) {
    const detail = await api<{ skus: Array<{ sku: string }> }>(
      'GET',
      `${ctx.urls.catalog}/v1/products/${p.id}?channel=online`,
    );
    const skus = detail.skus.map((s) => s.sku);
    const avail = await api<{ items: Array<{ sku: string; available: number }> }>(
      'GET',
      `${ctx.urls.inventory}/v1/availability?skus=${skus.join(',')}&channel=store&storeId=${storeId}`,
    );
    for (const a of avail.items) if (a.available >= min && a.available <= max) found.push(a);
    if (found.length >= limit) break;
  }
  if (found.length === 0) throw new Error(`no SKU with ${min}..${max} units at ${storeId}`);
  return found;
}

export async function placeOrder(
  ctx: DemoContext,
  customerToken: string,
  body: Record<string, unknown>,
): Promise<OrderView> {
  return api<OrderView>('POST', `${ctx.urls.orders}/v1/orders`, {
    token: customerToken,
    idempotencyKey: randomUUID(),
    body: { channel: 'online', ...body },
  });
}

/** Online order, picked up in store S01: confirm → pick → ready → hand-over against the code. */
/** The store's clerk picks an order's task line by line and marks it ready; returns the task. */
export async function pickToReady(
  ctx: DemoContext,
  storeId: string,
  orderId: string,
): Promise<{ taskId: string; orderId: string; lines: Array<{ sku: string; qty: number }> }> {
  const clerk = token(ctx, `clerk:${storeId}`);
  const base = `${ctx.urls.pickup}/v1/stores/${storeId}/pickup/tasks`;
  const task = await eventually('the pickup task', async () => {
    const page = await api<{
      items: Array<{ taskId: string; orderId: string; lines: Array<{ sku: string; qty: number }> }>;
    }>('GET', `${base}?limit=100`, { token: clerk });
    return page.items.find((t) => t.orderId === orderId);
  });
  await api('POST', `${base}/${task.taskId}/start`, { token: clerk, body: {} });
  for (const line of task.lines)
    await api('POST', `${base}/${task.taskId}/lines`, {
      token: clerk,
      body: { sku: line.sku, qty: line.qty },
    });
  await api('POST', `${base}/${task.taskId}/ready`, { token: clerk, body: {} });
  await waitForStatus(ctx, orderId, ['ready_for_pickup']);
  return task;
}

export async function pickupStory(ctx: DemoContext, storeId = 'S01'): Promise<string> {
  const { customer, token: shopper } = customerToken(ctx, 0);
  const [item] = await skusInStock(ctx, storeId, 2);
  ctx.log(`${customer.name} orders 1 × ${item!.sku} online, to collect at ${storeId}`);
  const placed = await placeOrder(ctx, shopper, {
    lines: [{ sku: item!.sku, qty: 1 }],
    fulfilment: { method: 'pickup', storeId, allowAlternativeStore: true },
    payment: { method: 'card', cardToken: 'tok_demo_visa' },
  });
  const order = await waitForStatus(ctx, placed.id, ['confirmed']);
  const at = order.route?.locationId ?? storeId;
  ctx.log(`  order ${order.id} confirmed; stock reserved at ${at}`);

  const task = await pickToReady(ctx, at, order.id);
  const clerk = token(ctx, `clerk:${at}`);
  const base = `${ctx.urls.pickup}/v1/stores/${at}/pickup/tasks`;
  ctx.log(`  store ${at} picked it: ready for pickup`);

  const pickup = await api<{ code: string }>('GET', `${ctx.urls.pickup}/v1/orders/${order.id}/pickup`, {
    token: shopper,
  });
  await api('POST', `${base}/${task.taskId}/collect`, { token: clerk, body: { code: pickup.code } });
  await waitForStatus(ctx, order.id, ['collected']);
  ctx.log(
    `  ${customer.name} showed the pickup code at the counter: collected, stock committed, card captured`,
  );
  return order.id;
}

export interface RiderChannel {
  offers: Array<{ jobId: string; orderId: string }>;
  close(): void;
}

/** The rider app's live channel: offers are pushed over the WebSocket. */
export async function connectRider(ctx: DemoContext, riderToken: string): Promise<RiderChannel> {
  const url = `${ctx.urls.dispatch.replace(/^http/, 'ws')}/v1/riders/me/ws?access_token=${encodeURIComponent(riderToken)}`;
  const ws = new WebSocket(url);
  const offers: RiderChannel['offers'] = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as {
      type: string;
      offer?: { jobId: string; orderId: string } | null;
    };
    if ((msg.type === 'offer' || msg.type === 'hello') && msg.offer)
      offers.push({ jobId: msg.offer.jobId, orderId: msg.offer.orderId });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { offers, close: () => ws.close() };
}

/** One-hour delivery with cash on delivery: store confirms and prepares, a rider takes it, proof by code. */
export async function deliveryStory(ctx: DemoContext): Promise<string> {
  const { customer, token: shopper } = customerToken(ctx, 1);
  const destination = { lat: 52.501, lng: 13.419 };
  // Rider R004 starts a shift near Omni Kreuzberg (S04) and keeps the app open.
  const rider = demoRiders(50)[3]!;
  const riderToken = token(ctx, `rider:${rider.id}`);
  const s04 = demoLocations().find((l) => l.id === 'S04')!.geo;
  await api('POST', `${ctx.urls.dispatch}/v1/riders/me/shift/start`, {
    token: riderToken,
    body: {},
    ok: (s) => s < 300 || s === 409,
  });
  await api('POST', `${ctx.urls.dispatch}/v1/riders/me/location`, {
    token: riderToken,
    body: { lat: s04.lat + 0.001, lng: s04.lng + 0.001 },
  });
  const channel = await connectRider(ctx, riderToken);
  try {
    const [item] = await skusInStock(ctx, 'S04', 2);
    // Checkout asks first what can be promised at this address (the same code places the order).
    const quote = await api<{
      delivery: Array<{
        storeId: string;
        tripMinutes: number;
        asap?: { to: string };
        slots: Array<{ from: string }>;
      }>;
    }>('POST', `${ctx.urls.orders}/v1/quotes`, {
      token: shopper,
      body: { lines: [{ sku: item!.sku, qty: 1 }], geo: destination },
    });
    const promised = quote.delivery[0];
    if (promised)
      ctx.log(
        `  quote: delivery from ${promised.storeId} (${promised.tripMinutes} min trip), ASAP by ${promised.asap?.to.slice(11, 16) ?? '—'} UTC or a slot from ${promised.slots.map((x) => x.from.slice(11, 16)).join(', ')}`,
      );
    ctx.log(`${customer.name} orders 1 × ${item!.sku} for delivery within the hour, paying cash`);
    const placed = await placeOrder(ctx, shopper, {
      lines: [{ sku: item!.sku, qty: 1 }],
      fulfilment: {
        method: 'delivery',
        address: {
          lines: ['Oranienstraße 25'],
          city: 'Berlin',
          postalCode: '10999',
          country: 'DE',
          geo: destination,
        },
      },
      payment: { method: 'cod' },
    });
    const order = await waitForStatus(ctx, placed.id, ['confirmed']);
    const storeId = order.route?.locationId ?? '';
    ctx.log(
      `  order ${order.id} confirmed; routed to ${storeId} (${order.route?.reason ?? 'nearest store with everything'})`,
    );

    const clerk = token(ctx, `clerk:${storeId}`);
    const job = await eventually('the delivery job at the store', async () => {
      const page = await api<{ items: Array<{ id: string; orderId: string; parcelCode: string }> }>(
        'GET',
        `${ctx.urls.dispatch}/v1/stores/${storeId}/delivery-jobs?limit=100`,
        { token: clerk },
      );
      return page.items.find((j) => j.orderId === order.id);
    });
    await api('POST', `${ctx.urls.dispatch}/v1/stores/${storeId}/delivery-jobs/${job.id}/confirm`, {
      token: clerk,
      body: {},
    });
    await api('POST', `${ctx.urls.dispatch}/v1/stores/${storeId}/delivery-jobs/${job.id}/ready`, {
      token: clerk,
      body: {},
    });
    ctx.log(`  store ${storeId} confirmed the job and packed parcel ${job.parcelCode}`);

    const offer = await eventually(
      'an offer pushed to the rider',
      async () => channel.offers.find((o) => o.orderId === order.id),
      20_000,
    );
    await api('POST', `${ctx.urls.dispatch}/v1/riders/me/offers/${offer.jobId}/accept`, {
      token: riderToken,
      body: {},
    });
    ctx.log(`  rider ${rider.id} got the offer over the WebSocket and accepted`);
    await api('POST', `${ctx.urls.dispatch}/v1/riders/me/jobs/${offer.jobId}/pickup`, {
      token: riderToken,
      body: { parcelCode: job.parcelCode },
    });
    await waitForStatus(ctx, order.id, ['out_for_delivery']);
    const tracking = await api<{ status: string; etaAt?: string }>(
      'GET',
      `${ctx.urls.dispatch}/v1/orders/${order.id}/tracking`,
      { token: shopper },
    );
    ctx.log(
      `  out for delivery; the customer's tracking page says ${tracking.status}, ETA ${tracking.etaAt ?? 'n/a'}`,
    );

    const { deliveryCode: code } = await api<{ deliveryCode: string }>(
      'GET',
      `${ctx.urls.dispatch}/v1/orders/${order.id}/delivery`,
      { token: shopper },
    );
    const due = order.amountDue ?? order.total;
    await api('POST', `${ctx.urls.dispatch}/v1/riders/me/jobs/${offer.jobId}/deliver`, {
      token: riderToken,
      body: { proof: { kind: 'code', code }, ...(due ? { codCollected: due } : {}) },
    });
    await waitForStatus(ctx, order.id, ['delivered']);
    ctx.log(`  delivered against the customer's code; cash collected and marked paid`);
    return order.id;
  } finally {
    channel.close();
  }
}

/**
 * The store is late: a card delivery order in a slot the customer chose from the quote, ops report it
 * 75 minutes beyond its promise (as
 * dispatch's SLA check would), the customer first gets the delivery fee back, is offered a free
 * order or a re-delivery, chooses the free order (full refund through the payment port, the platform
 * paying first) and hears about each step (`GET /v1/customers/{id}/notifications`).
 */
export async function lateDeliveryStory(ctx: DemoContext): Promise<string> {
  const { customer, token: shopper } = customerToken(ctx, 3 < ctx.customers.length ? 3 : 0);
  const [item] = await skusInStock(ctx, 'S04', 2);
  const geo = { lat: 52.501, lng: 13.419 };
  // The customer asks what can be promised here and picks a delivery slot from the quote.
  const quote = await api<{
    delivery: Array<{ storeId: string; slots: Array<{ from: string; to: string }> }>;
  }>('POST', `${ctx.urls.orders}/v1/quotes`, {
    token: shopper,
    body: { lines: [{ sku: item!.sku, qty: 1 }], geo },
  });
  const slot = quote.delivery[0]?.slots[0];
  ctx.log(
    `${customer.name} orders 1 × ${item!.sku} for delivery, paying by card` +
      (slot
        ? `, in the slot ${slot.from.slice(11, 16)}–${slot.to.slice(11, 16)} UTC`
        : ' (no slot free: ASAP)'),
  );
  const placed = await placeOrder(ctx, shopper, {
    lines: [{ sku: item!.sku, qty: 1 }],
    fulfilment: {
      method: 'delivery',
      address: { lines: ['Oranienstraße 30'], city: 'Berlin', postalCode: '10999', country: 'DE', geo },
      ...(slot ? { promise: { kind: 'slot', from: slot.from } } : {}),
    },
    payment: { method: 'card', cardToken: 'tok_visa' },
  });
  const order = await waitForStatus(ctx, placed.id, ['confirmed']);
  const promise = order.promise as { kind: string; from: string; to: string } | undefined;
  ctx.log(
    `  order ${order.id} confirmed at ${order.route?.locationId ?? '?'}, ${money(order.amountDue)} authorised;` +
      ` promised ${promise ? `${promise.kind} ${promise.from.slice(11, 16)}–${promise.to.slice(11, 16)} UTC` : '—'}`,
  );

  await api('POST', `${ctx.urls.orders}/v1/orders/${order.id}/late`, {
    token: token(ctx, 'ops'),
    body: { minutesLate: 75 },
  });
  ctx.log('  the store is late: ops report the delivery 75 minutes beyond its promise');
  const offered = await eventually('the remedy offer', async () => {
    const o = await getOrder(ctx, order.id);
    const late = o.late as { remedy?: { decideBy: string } } | undefined;
    return late?.remedy && o.compensation ? { o, decideBy: late.remedy.decideBy } : undefined;
  });
  const fee = offered.o.compensation as { kind: string; amount: { amountMinor: number; currency: string } };
  ctx.log(
    `  first tier: ${fee.kind} (${money(fee.amount)}); free order or re-delivery offered until ${offered.decideBy}`,
  );

  const chosen = await api<OrderView>('POST', `${ctx.urls.orders}/v1/orders/${order.id}/late-remedy`, {
    token: shopper,
    body: { choice: 'free_order' },
  });
  const remedy = (
    chosen.late as { remedy?: { compensation?: { amount: { amountMinor: number; currency: string } } } }
  )?.remedy?.compensation;
  ctx.log(
    `  ${customer.name} chose the free order: ${money(remedy?.amount)} more taken off — nothing will be charged (paid by the platform)`,
  );

  const notes = await eventually('the customer notifications', async () => {
    const page = await api<{
      items: Array<{ kind: string; orderId: string; title: string; body: string; channel?: string }>;
    }>('GET', `${ctx.urls.customers}/v1/customers/${customer.customerId}/notifications?limit=20`, {
      token: shopper,
    });
    const mine = page.items.filter((n) => n.orderId === order.id);
    return mine.filter((n) => n.kind === 'late_compensated').length === 2 ? mine : undefined;
  });
  for (const n of [...notes].reverse()) ctx.log(`  → ${n.channel ?? 'not sent'}: ${n.title} — ${n.body}`);
  return order.id;
}

function money(m: { amountMinor: number; currency: string } | undefined): string {
  return m ? `${(m.amountMinor / 100).toFixed(2)} ${m.currency}` : '?';
}

/**
 * A store sells over the counter while its till is offline; when the POS syncs late, the sale
 * collides with an online reservation: inventory flags it (reservation at risk) and orders re-routes
 * the online order to another store — nothing oversold, nothing hidden.
 */
export async function lateSyncStory(ctx: DemoContext, storeId = 'S02'): Promise<string> {
  const { customer, token: shopper } = customerToken(ctx, 2 < ctx.customers.length ? 2 : 0);
  const [item] = await skusInStock(ctx, storeId, 1, 6);
  const sku = item!.sku;
  ctx.log(
    `${customer.name} orders all ${item!.available} × ${sku} available at ${storeId}, to collect there`,
  );
  const placed = await placeOrder(ctx, shopper, {
    lines: [{ sku, qty: item!.available }],
    fulfilment: { method: 'pickup', storeId, allowAlternativeStore: false },
    payment: { method: 'card', cardToken: 'tok_demo_visa' },
  });
  const order = await waitForStatus(ctx, placed.id, ['confirmed']);
  ctx.log(`  order ${order.id} confirmed with stock reserved at ${order.route?.locationId}`);

  const pos = token(ctx, `pos:${storeId}`);
  const level = await api<{ onHand: number }>(
    'GET',
    `${ctx.urls.inventory}/v1/locations/${storeId}/stock/${sku}`,
    { token: token(ctx, 'ops') },
  );
  const state = await api<{ cursor?: number; lastSeq?: number }>(
    'GET',
    `${ctx.urls.inventory}/v1/stores/${storeId}/sync`,
    { token: pos },
  );
  const next = (state.cursor ?? state.lastSeq ?? 0) + 1;
  const soldAt = new Date(Date.now() - 20 * 60_000).toISOString();
  const sync = await api<Record<string, unknown>>('POST', `${ctx.urls.inventory}/v1/stores/${storeId}/sync`, {
    token: pos,
    body: {
      ops: [
        {
          clientOpId: `till-1-${randomUUID()}`,
          seq: next,
          type: 'sale',
          lines: [{ sku, qty: level.onHand }],
          occurredAt: soldAt,
        },
      ],
    },
  });
  ctx.log(
    `  the ${storeId} till comes back online and syncs a sale of ${level.onHand} × ${sku} made 20 minutes ago (cursor ${JSON.stringify(sync.cursor ?? sync)})`,
  );
  const moved = await eventually(
    'the order to be re-routed',
    async () => {
      const o = await getOrder(ctx, order.id);
      return o.route?.locationId && o.route.locationId !== storeId && o.status === 'confirmed'
        ? o
        : undefined;
    },
    20_000,
  );
  ctx.log(
    `  inventory flagged the reservation at risk; orders re-routed it to ${moved.route?.locationId} (new reservation first, then released ${storeId})`,
  );
  return order.id;
}

export interface TimelineItem {
  time: string;
  type: string;
  source: string;
  data: Record<string, unknown>;
}

export async function timelineOf(ctx: DemoContext, orderId: string): Promise<TimelineItem[]> {
  if (!ctx.timelineUrl) return [];
  // The timeline shows customers' names and addresses: ops only.
  const res = await api<{ items: TimelineItem[] }>('GET', `${ctx.timelineUrl}/${orderId}`, {
    token: token(ctx, 'ops'),
  });
  return res.items;
}

export function formatTimeline(orderId: string, items: TimelineItem[]): string {
  if (items.length === 0) return `  (no events recorded for ${orderId})`;
  const t0 = Date.parse(items[0]!.time);
  return items
    .map((e) => {
      const dt = `+${((Date.parse(e.time) - t0) / 1000).toFixed(3)}s`.padStart(10);
      const type = e.type.replace(/^omni\./, '').replace(/\.v\d+$/, '');
      const where =
        typeof e.data.locationId === 'string'
          ? e.data.locationId
          : typeof e.data.storeId === 'string'
            ? e.data.storeId
            : '';
      const detail =
        typeof e.data.from === 'string' && typeof e.data.to === 'string'
          ? `${e.data.from} → ${e.data.to}`
          : typeof e.data.delta === 'number'
            ? `${e.data.delta > 0 ? '+' : ''}${e.data.delta} points`
            : typeof e.data.riderId === 'string'
              ? `rider ${e.data.riderId}`
              : '';
      return `  ${e.time.slice(11, 23)} ${dt}  ${type.padEnd(38)} ${e.source.replace('/omni/', '').padEnd(10)} ${where.padEnd(5)} ${detail}`.trimEnd();
    })
    .join('\n');
}

interface CustomerVoucher {
  voucherId: string;
  status: string;
  code: string | null;
  qr: string | null;
  remaining: { amountMinor: number; currency: string };
}

/**
 * Vouchers (issue 17): a shopper buys "2 coffees + cake" and "€50 for €40 at Omni Kreuzberg" online,
 * gets a code and a signed QR per voucher, and redeems them at the counter: the coffee voucher by QR
 * at S01, the value voucher in part at S04. Returns the order id.
 */
export async function voucherStory(ctx: DemoContext): Promise<string> {
  const { customer, token: shopper } = customerToken(ctx, 1);
  ctx.log(`${customer.name} buys a "2 coffees + cake" voucher online`);
  const placed = await placeOrder(ctx, shopper, {
    lines: [{ sku: 'VCH-COFFEE-CAKE', qty: 1 }],
    fulfilment: { method: 'voucher' },
    payment: { method: 'card', cardToken: 'tok_demo_visa' },
  });
  await waitForStatus(ctx, placed.id, ['confirmed']);
  const [coffee] = await eventually('the voucher code', async () => {
    const res = await api<{ items: CustomerVoucher[] }>(
      'GET',
      `${ctx.urls.vouchers}/v1/orders/${placed.id}/vouchers`,
      { token: shopper, ok: (st) => st === 200 || st === 404 },
    );
    return res.items?.length ? res.items : undefined;
  });
  ctx.log(
    `  paid and confirmed without any stock reserved; code ${coffee!.code} (+ signed QR) shown to the customer only`,
  );
  const redeemed = await api<{
    redemption: { redemptionId: string; storeId: string; settlement: { amountMinor: number } };
  }>('POST', `${ctx.urls.vouchers}/v1/stores/S01/vouchers/redemptions`, {
    token: token(ctx, 'clerk:S01'),
    body: { qr: coffee!.qr },
  });
  ctx.log(
    `  the clerk at S01 scans the QR: redeemed (${redeemed.redemption.redemptionId}); S01 is owed €${(redeemed.redemption.settlement.amountMinor / 100).toFixed(2)}`,
  );
  const again = await fetch(`${ctx.urls.vouchers}/v1/stores/S02/vouchers/redemptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token(ctx, 'clerk:S02')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: coffee!.code }),
  });
  await again.arrayBuffer();
  ctx.log(`  the same code typed at S02 a minute later: ${again.status} (already used)`);

  ctx.log(`${customer.name} buys "€50 for €40 at Omni Kreuzberg"`);
  const value = await placeOrder(ctx, shopper, {
    lines: [{ sku: 'VCH-S04-50', qty: 1 }],
    fulfilment: { method: 'voucher' },
    payment: { method: 'card', cardToken: 'tok_demo_visa' },
  });
  await waitForStatus(ctx, value.id, ['confirmed']);
  const [fifty] = await eventually('the value voucher', async () => {
    const res = await api<{ items: CustomerVoucher[] }>(
      'GET',
      `${ctx.urls.vouchers}/v1/orders/${value.id}/vouchers`,
      {
        token: shopper,
        ok: (st) => st === 200 || st === 404,
      },
    );
    return res.items?.length ? res.items : undefined;
  });
  const part = await api<{ voucher: { remaining: { amountMinor: number } } }>(
    'POST',
    `${ctx.urls.vouchers}/v1/stores/S04/vouchers/redemptions`,
    { token: token(ctx, 'clerk:S04'), body: { code: fifty!.code, amountMinor: 1250 } },
  );
  ctx.log(
    `  €12.50 redeemed at S04; €${(part.voucher.remaining.amountMinor / 100).toFixed(2)} left on the voucher`,
  );
  return placed.id;
}

interface PickListView {
  pickListId: string;
  items: Array<{ orderId: string; sku: string; qty: number; bin: string | null }>;
}

/** A picker at the location makes a pick list for one order and returns it (items in bin order). */
async function pickListFor(ctx: DemoContext, locationId: string, orderId: string): Promise<PickListView> {
  return api<PickListView>('POST', `${ctx.urls.inventory}/v1/locations/${locationId}/pick-lists`, {
    token: token(ctx, 'ops'),
    body: { orderIds: [orderId] },
  });
}

/**
 * A parcel from a warehouse: the picker walks the bins, finds a unit missing (short pick), so
 * inventory writes it off and flags the order's reservation; orders re-routes the order to the other
 * warehouse, where it is picked in full, packed (parcel weights), booked with the carrier and
 * shipped; the carrier's tracking delivers it, and only then is the order completed.
 */
export async function warehouseStory(ctx: DemoContext): Promise<string> {
  const { customer, token: shopper } = customerToken(ctx, 3 < ctx.customers.length ? 3 : 0);
  const first = demoLocations().find((l) => l.id === 'WH-NORTH')!;
  const items = await skusInStock(ctx, 'S01', 1, Infinity, 2);
  const lines = items.slice(0, 2).map((i) => ({ sku: i.sku, qty: 1 }));
  ctx.log(`${customer.name} orders ${lines.map((l) => `1 × ${l.sku}`).join(' and ')} to be shipped home`);
  const placed = await placeOrder(ctx, shopper, {
    lines,
    fulfilment: {
      method: 'ship',
      address: { lines: ['Flottenstraße 30'], city: 'Berlin', postalCode: '13407', country: 'DE' },
      geo: first.geo,
    },
    payment: { method: 'card', cardToken: 'tok_demo_visa' },
  });
  const order = await waitForStatus(ctx, placed.id, ['confirmed']);
  const from = order.route!.locationId;
  ctx.log(`  order ${order.id} confirmed; stock reserved at ${from}`);

  const list = await pickListFor(ctx, from, order.id);
  ctx.log(
    `  pick list ${list.pickListId} at ${from}, in bin order: ${list.items.map((i) => `${i.bin ?? '-'} ${i.sku}`).join(', ')}`,
  );
  const missing = list.items[0]!;
  await api('POST', `${ctx.urls.inventory}/v1/pick-lists/${list.pickListId}/orders/${order.id}/picked`, {
    token: token(ctx, 'ops'),
    body: { missing: [{ sku: missing.sku, qty: 1 }] },
  });
  ctx.log(`  the picker finds bin ${missing.bin} empty: short pick of 1 × ${missing.sku}, written off`);
  const moved = await eventually(
    'the order to be re-routed',
    async () => {
      const o = await getOrder(ctx, order.id);
      return o.route?.locationId !== from && o.status === 'confirmed' ? o : undefined;
    },
    20_000,
  );
  const to = moved.route!.locationId;
  ctx.log(`  orders re-routed it to ${to} (reserved there first, then released ${from})`);

  const second = await pickListFor(ctx, to, order.id);
  const base = `${ctx.urls.inventory}/v1/pick-lists/${second.pickListId}/orders/${order.id}`;
  await api('POST', `${base}/picked`, { token: token(ctx, 'ops'), body: {} });
  await api('POST', `${base}/pack`, { token: token(ctx, 'ops'), body: { parcels: [{ weightGrams: 1450 }] } });
  const shipped = await waitForStatus(ctx, order.id, ['shipped', 'delivered']);
  const shipment = shipped.shipment as { carrier?: string; trackingNumber?: string } | undefined;
  ctx.log(
    `  ${to} picked and packed it (1 parcel, 1,450 g): booked with ${shipment?.carrier}, tracking ${shipment?.trackingNumber}; stock committed, card captured`,
  );
  await waitForStatus(ctx, order.id, ['delivered'], 30_000);
  ctx.log(
    `  the carrier reports it delivered: the order is completed and ${customer.name}'s points accrue now`,
  );
  return order.id;
}
