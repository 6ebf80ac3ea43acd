import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../src';
import { startDemoSystem } from './support';
import { api } from '../src/demo/client';
import {
  deliveryStory,
  getOrder,
  lateSyncStory,
  pickupStory,
  timelineOf,
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

  it('after all flows the ledger replays to exactly the stock levels', async () => {
    await sys.inventory.inventory.flushAvailability?.();
    const report = await api<{ differences: unknown[] }>('POST', `${sys.urls.inventory}/v1/ops/reconcile`, {
      token: ops,
      body: {},
    });
    expect(report.differences).toEqual([]);
  });
});
