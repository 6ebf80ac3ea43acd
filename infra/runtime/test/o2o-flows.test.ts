import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../src';
import { startDemoSystem } from './support';
import { api } from '../src/demo/client';
import { demoLocations, demoRiders } from '../src/demo/city';
import {
  connectRider,
  deliveryStory,
  getOrder,
  lateDeliveryStory,
  lateSyncStory,
  pickToReady,
  pickupStory,
  placeOrder,
  skusInStock,
  timelineOf,
  waitForStatus,
  warehouseStory,
  type DemoContext,
} from '../src/demo/flows';
import { eventually } from '../src/demo/client';

/**
 * The whole embedded system on ephemeral ports, seeded with the demo city, driven through its public
 * HTTP and WebSocket APIs exactly as `npm run demo` does; then the final states and the cross-service
 * event timelines are checked.
 */
let sys: System;
let ctx: DemoContext;
let ops: string;

beforeAll(async () => {
  ({ sys, ctx, ops } = await startDemoSystem());
}, 120_000);
afterAll(async () => sys?.stop());

const typesOf = async (orderId: string) =>
  (await timelineOf(ctx, orderId)).map((e) => e.type.replace(/^omni\./, '').replace(/\.v\d+$/, ''));

/** `expected` appears in `actual` in this order (other events may interleave). */
function inOrder(actual: string[], expected: string[]): boolean {
  let i = 0;
  for (const a of actual) if (a === expected[i]) i++;
  return i === expected.length;
}

describe('O2O flows on the embedded system', () => {
  it('buy online, pick up in store: collected, stock committed, points accrued', async () => {
    const orderId = await pickupStory(ctx);
    const order = await getOrder(ctx, orderId);
    expect(order.status).toBe('collected');
    const expected = [
      'inventory.reservation.created',
      'orders.order.confirmed',
      'pickup.task.created',
      'pickup.task.ready',
      'pickup.task.collected',
      'inventory.reservation.committed',
      'orders.order.completed',
      'customers.customer.points-changed',
    ];
    const types = await eventually('the full pickup timeline', async () => {
      const t = await typesOf(orderId);
      return inOrder(t, expected) ? t : undefined;
    });
    expect(inOrder(types, expected)).toBe(true);
  });

  it('one-hour delivery with cash on delivery: rider offer over WebSocket, proof by code, delivered', async () => {
    const orderId = await deliveryStory(ctx);
    const order = await getOrder(ctx, orderId);
    expect(order.status).toBe('delivered');
    const expected = [
      'orders.order.confirmed',
      'dispatch.delivery.job-created',
      'dispatch.delivery.assigned',
      'dispatch.delivery.picked-up',
      'inventory.reservation.committed',
      'dispatch.delivery.delivered',
      'orders.order.completed',
    ];
    await eventually('the full delivery timeline', async () => inOrder(await typesOf(orderId), expected));
  });

  it('a store sale synced late puts an online reservation at risk and the order is re-routed, never oversold', async () => {
    const orderId = await lateSyncStory(ctx, 'S03');
    const order = await getOrder(ctx, orderId);
    expect(order.status).toBe('confirmed');
    expect(order.route?.locationId).not.toBe('S03');
    const expected = [
      'inventory.reservation.created',
      'orders.order.confirmed',
      'inventory.reservation.at-risk',
      'inventory.reservation.created',
      'inventory.reservation.released',
      'orders.order.rerouted',
      'orders.order.confirmed',
      'pickup.task.created',
    ];
    await eventually('the re-route timeline', async () => inOrder(await typesOf(orderId), expected));
  });

  it('a slot chosen from the quote, the store late by 75 min: fee back, free order chosen, nothing charged; the customer hears each step', async () => {
    const orderId = await lateDeliveryStory(ctx);
    const order = await getOrder(ctx, orderId);
    // The customer chose a slot from the quote; the promise is what lateness is measured against.
    expect(order.promise).toMatchObject({ kind: 'slot' });
    expect(order.compensation).toMatchObject({ kind: 'refund_delivery_fee', paidBy: 'platform' });
    expect(order.late).toMatchObject({
      minutesLate: 75,
      remedy: { choice: 'free_order', chosenBy: 'customer', compensation: { kind: 'free_order' } },
    });
    const expected = [
      'orders.order.confirmed',
      'orders.order.late-remedy-offered',
      'orders.order.compensated',
      'orders.order.compensated',
    ];
    await eventually('the compensation in the timeline', async () =>
      inOrder(await typesOf(orderId), expected),
    );
  });

  it('shipped from a warehouse: a short pick re-routes to the other warehouse, packed, tracked, delivered, then completed', async () => {
    const orderId = await warehouseStory(ctx);
    const order = await getOrder(ctx, orderId);
    expect(order.status).toBe('delivered');
    expect(order.route?.locationId).toBe('WH-SOUTH');
    const expected = [
      'inventory.reservation.created',
      'orders.order.confirmed',
      'inventory.reservation.at-risk',
      'inventory.reservation.created',
      'orders.order.rerouted',
      'inventory.order.packed',
      'inventory.reservation.committed',
      'orders.order.status-changed',
      'orders.shipment.tracked',
      'orders.order.completed',
      'customers.customer.points-changed',
    ];
    await eventually('the warehouse timeline', async () => inOrder(await typesOf(orderId), expected));
    // The missing unit was written off at the first warehouse, in the ledger under its pick list.
    const written = await api<{ items: Array<{ reason: string; onHandDelta: number }> }>(
      'GET',
      `${ctx.urls.inventory}/v1/movements?locationId=WH-NORTH&reason=pick-short&limit=10`,
      { token: ops },
    );
    expect(written.items.map((m) => m.onHandDelta)).toEqual([-1]);
  });

  it('two pickers short-pick the same SKU at once: both orders move once, stock and ledger stay exact', async () => {
    const north = demoLocations().find((l) => l.id === 'WH-NORTH')!;
    const [item] = await skusInStock(ctx, 'S01', 1, Infinity, 1);
    const sku = item!.sku;
    const stockAt = (loc: string) =>
      api<{ onHand: number; reserved: number }>(
        'GET',
        `${ctx.urls.inventory}/v1/locations/${loc}/stock/${sku}`,
        {
          token: ops,
        },
      );
    const [northBefore, southBefore] = [await stockAt('WH-NORTH'), await stockAt('WH-SOUTH')];
    const ids: string[] = [];
    for (const c of ctx.customers.slice(0, 2)) {
      const placed = await placeOrder(ctx, ctx.tokens[`customer:${c.customerId}`]!, {
        lines: [{ sku, qty: 2 }],
        fulfilment: {
          method: 'ship',
          address: { lines: ['Flottenstraße 1'], city: 'Berlin', postalCode: '13407', country: 'DE' },
          geo: north.geo,
        },
        payment: { method: 'card', cardToken: 'tok_demo_visa' },
      });
      const o = await waitForStatus(ctx, placed.id, ['confirmed']);
      expect(o.route?.locationId).toBe('WH-NORTH');
      ids.push(o.id);
    }
    const list = await api<{ pickListId: string }>(
      'POST',
      `${ctx.urls.inventory}/v1/locations/WH-NORTH/pick-lists`,
      {
        token: ops,
        body: { orderIds: ids },
      },
    );
    await Promise.all(
      ids.map((id) =>
        api('POST', `${ctx.urls.inventory}/v1/pick-lists/${list.pickListId}/orders/${id}/picked`, {
          token: ops,
          body: { missing: [{ sku, qty: 1 }] },
        }),
      ),
    );
    for (const id of ids) {
      const moved = await eventually(`order ${id} re-routed`, async () => {
        const o = await getOrder(ctx, id);
        return o.route?.locationId === 'WH-SOUTH' && o.status === 'confirmed' && !o.processing
          ? o
          : undefined;
      });
      expect(moved.routeAttempt).toBe(1);
    }
    // North: 2 units written off, nothing left reserved for these orders; South holds both.
    expect(await stockAt('WH-NORTH')).toMatchObject({
      onHand: northBefore.onHand - 2,
      reserved: northBefore.reserved,
    });
    expect(await stockAt('WH-SOUTH')).toMatchObject({
      onHand: southBefore.onHand,
      reserved: southBefore.reserved + 4,
    });
    for (const id of ids) {
      const t = await typesOf(id);
      expect(t.filter((x) => x === 'orders.order.rerouted')).toHaveLength(1);
    }
  });

  it('after all flows the ledger replays to exactly the stock levels', async () => {
    await sys.inventory.inventory.flushAvailability?.();
    const report = await api<{ differences: unknown[] }>('POST', `${sys.urls.inventory}/v1/ops/reconcile`, {
      token: ops,
      body: {},
    });
    expect(report.differences).toEqual([]);
  });
});

/*
 * Issue 13 item 18, end to end on the same embedded system (real inventory, orders, pickup, dispatch):
 * a POS sale synced late takes the unit already set aside for an order (picked for the counter, or
 * packed for a rider who accepted the job). The order is not moved; the store and ops are told
 * (attention + OrderAttentionRaised); the hand-over books the goods leaving (commit into a flagged
 * negative on hand), the reservation ends, and the ledger still replays to the levels.
 */
type Level = { onHand: number; reserved: number; flags: string[] };
type Internal = {
  status: string;
  attention: Array<{ code: string; reason: string }>;
  reservation: { reservationId: string; status: string };
};

const tok = (key: string) => {
  const t = ctx.tokens[key];
  if (!t) throw new Error(`no demo token ${key}`);
  return t;
};
const levelAt = (storeId: string, sku: string) =>
  api<Level>('GET', `${ctx.urls.inventory}/v1/locations/${storeId}/stock/${sku}`, { token: ops });
const internal = async (orderId: string) => (await getOrder(ctx, orderId)) as unknown as Internal;

/** The store's till comes back online and syncs a sale of everything on the shelf, made earlier. */
async function lateTillSale(storeId: string, sku: string, qty: number) {
  const pos = tok(`pos:${storeId}`);
  const state = await api<{ cursor: number }>('GET', `${ctx.urls.inventory}/v1/stores/${storeId}/sync`, {
    token: pos,
  });
  const res = await api<{ results: Array<{ status: string }> }>(
    'POST',
    `${ctx.urls.inventory}/v1/stores/${storeId}/sync`,
    {
      token: pos,
      body: {
        ops: [
          {
            clientOpId: `till-${randomUUID()}`,
            seq: state.cursor + 1,
            type: 'sale',
            lines: [{ sku, qty }],
            occurredAt: new Date(Date.now() - 20 * 60_000).toISOString(),
          },
        ],
      },
    },
  );
  expect(res.results.map((r) => r.status)).toEqual(['applied']);
}

const raisedToStore = (orderId: string) =>
  eventually('the at-risk stock raised to the store', async () => {
    const o = await internal(orderId);
    return o.attention.some((a) => a.code === 'picked-stock-at-risk') ? o : undefined;
  });

async function expectBookedAndReconciled(orderId: string, storeId: string, sku: string, qty: number) {
  const o = await eventually('the reservation committed', async () => {
    const x = await internal(orderId);
    return x.reservation.status === 'committed' ? x : undefined;
  });
  expect(o.attention.map((a) => a.code)).not.toContain('commit-failed');
  const reservation = await api<{ status: string }>(
    'GET',
    `${ctx.urls.inventory}/v1/reservations/${o.reservation.reservationId}`,
    { token: ops },
  );
  expect(reservation.status).toBe('committed');
  // The ledger says what happened: the shelf had nothing, the goods left anyway.
  const level = await levelAt(storeId, sku);
  expect(level.onHand).toBe(-qty);
  expect(level.flags).toContain('negative-on-hand');
  const exceptions = await api<{ items: Array<{ sku: string; locationId: string }> }>(
    'GET',
    `${ctx.urls.inventory}/v1/ops/stock-exceptions?limit=200`,
    { token: ops },
  );
  expect(exceptions.items).toContainEqual(expect.objectContaining({ sku, locationId: storeId }));
  const movements = await api<{ items: Array<{ reason: string; note?: string }> }>(
    'GET',
    `${ctx.urls.inventory}/v1/movements?locationId=${storeId}&sku=${sku}&reason=reservation-commit`,
    { token: ops },
  );
  expect(movements.items[0]?.note).toMatch(/stock exception/);
  const report = await api<{ differences: unknown[] }>('POST', `${ctx.urls.inventory}/v1/ops/reconcile`, {
    token: ops,
    body: {},
  });
  expect(report.differences).toEqual([]);
  const types = (await timelineOf(ctx, orderId)).map((e) => e.type);
  expect(types).toContain('omni.orders.order.attention-raised.v1');
}

describe('a late till sale of a unit already set aside for an order', () => {
  it('pickup: the order stays ready, the store is told, collection books the goods and ends the reservation', async () => {
    const storeId = 'S01';
    const customer = ctx.customers[0]!;
    const shopper = tok(`customer:${customer.customerId}`);
    const [item] = await skusInStock(ctx, storeId, 1, 6);
    const { sku, available: qty } = item!;
    const placed = await placeOrder(ctx, shopper, {
      lines: [{ sku, qty }],
      fulfilment: { method: 'pickup', storeId, allowAlternativeStore: false },
      payment: { method: 'card', cardToken: 'tok_demo_visa' },
    });
    const order = await waitForStatus(ctx, placed.id, ['confirmed']);

    const task = await pickToReady(ctx, storeId, order.id);
    const clerk = tok(`clerk:${storeId}`);
    const base = `${ctx.urls.pickup}/v1/stores/${storeId}/pickup/tasks`;

    await lateTillSale(storeId, sku, (await levelAt(storeId, sku)).onHand);
    const raised = await raisedToStore(order.id);
    expect(raised.status).toBe('ready_for_pickup');
    expect((await getOrder(ctx, order.id)).route?.locationId).toBe(storeId);

    const { code } = await api<{ code: string }>('GET', `${ctx.urls.pickup}/v1/orders/${order.id}/pickup`, {
      token: shopper,
    });
    await api('POST', `${base}/${task.taskId}/collect`, { token: clerk, body: { code } });
    await waitForStatus(ctx, order.id, ['collected']);
    await expectBookedAndReconciled(order.id, storeId, sku, qty);
  });

  it('rider hand-over: the packed order is not moved, the store is told, pickup by the rider books the goods', async () => {
    const customer = ctx.customers[1]!;
    const shopper = tok(`customer:${customer.customerId}`);
    const rider = demoRiders(50)[5]!;
    const riderToken = tok(`rider:${rider.id}`);
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
      const sku = item!.sku;
      const placed = await placeOrder(ctx, shopper, {
        lines: [{ sku, qty: 1 }],
        fulfilment: {
          method: 'delivery',
          address: {
            lines: ['Oranienstraße 25'],
            city: 'Berlin',
            postalCode: '10999',
            country: 'DE',
            geo: { lat: 52.501, lng: 13.419 },
          },
        },
        payment: { method: 'card', cardToken: 'tok_demo_visa' },
      });
      const order = await waitForStatus(ctx, placed.id, ['confirmed']);
      const storeId = order.route?.locationId ?? '';
      const clerk = tok(`clerk:${storeId}`);
      const job = await eventually('the delivery job at the store', async () => {
        const page = await api<{ items: Array<{ id: string; orderId: string; parcelCode: string }> }>(
          'GET',
          `${ctx.urls.dispatch}/v1/stores/${storeId}/delivery-jobs?limit=100`,
          { token: clerk },
        );
        return page.items.find((j) => j.orderId === order.id);
      });
      const jobs = `${ctx.urls.dispatch}/v1/stores/${storeId}/delivery-jobs/${job.id}`;
      await api('POST', `${jobs}/confirm`, { token: clerk, body: {} });
      await api('POST', `${jobs}/ready`, { token: clerk, body: {} });
      const offer = await eventually(
        'an offer pushed to the rider',
        async () => channel.offers.find((o) => o.orderId === order.id),
        20_000,
      );
      await api('POST', `${ctx.urls.dispatch}/v1/riders/me/offers/${offer.jobId}/accept`, {
        token: riderToken,
        body: {},
      });
      // Orders has heard that a rider took the packed parcel.
      await eventually('orders to record the rider', async () => {
        const doc = await sys.orders.store.collection('orders').findById(order.id);
        return doc?.riderAssigned ? doc : undefined;
      });

      await lateTillSale(storeId, sku, (await levelAt(storeId, sku)).onHand);
      const raised = await raisedToStore(order.id);
      expect(raised.status).toBe('confirmed');
      expect((await getOrder(ctx, order.id)).route?.locationId).toBe(storeId);

      await api('POST', `${ctx.urls.dispatch}/v1/riders/me/jobs/${offer.jobId}/pickup`, {
        token: riderToken,
        body: { parcelCode: job.parcelCode },
      });
      await waitForStatus(ctx, order.id, ['out_for_delivery']);
      await expectBookedAndReconciled(order.id, storeId, sku, 1);
    } finally {
      channel.close();
    }
  });
});
