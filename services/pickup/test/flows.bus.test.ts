import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderConfirmed, OrderRerouted } from '@omni/contracts';
import { confirmedData, customerCode, DAY, orderId, startPickup, type Harness } from './helpers';

/**
 * The pickup side of the whole flows, with the orders events published onto the bus by the test
 * (what orders does when it sees the pickup events). The same flows with the real orders and
 * inventory services are in flows.e2e.test.ts.
 */
let h: Harness;
beforeAll(async () => {
  h = await startPickup();
});
afterAll(async () => h?.stop());

describe('pickup flows driven by orders events', () => {
  it('order → task → short at A → re-routed to B → ready → collected', async () => {
    const id = orderId('flow');
    await h.publish(OrderConfirmed, id, confirmedData(id, 'S-A'));
    const atA = await h.waitTask(id);
    const a = await h.staff('S-A');
    await a.post(`/v1/stores/S-A/pickup/tasks/${atA._id}/start`);
    await a.post(`/v1/stores/S-A/pickup/tasks/${atA._id}/lines`, { sku: 'SKU-A', qty: 2 });
    expect(
      (await a.post(`/v1/stores/S-A/pickup/tasks/${atA._id}/short`, { lines: [{ sku: 'SKU-B', qty: 1 }] }))
        .status,
    ).toBe(200);
    const short = await h.waitEvent('omni.pickup.task.short-picked.v1', (e) => e.subject === id);
    expect(short.data).toMatchObject({
      taskId: atA._id,
      storeId: 'S-A',
      reservationId: `res-${id}`,
      shortLines: [{ sku: 'SKU-B', qty: 1 }],
    });

    // Orders re-routes: new reservation at B, then OrderRerouted + OrderConfirmed (attempt 1).
    await h.publish(OrderRerouted, id, {
      orderId: id,
      fromLocationId: 'S-A',
      toLocationId: 'S-B',
      reason: 'short pick',
      routeAttempt: 1,
    });
    await h.publish(
      OrderConfirmed,
      id,
      confirmedData(id, 'S-B', { routeAttempt: 1, reservationId: `res2-${id}` }),
    );
    const atB = await h.waitTask(id, (t) => t.storeId === 'S-B', 1);
    expect((await h.taskOf(id, 0))?.state).toBe('rerouted');

    const b = await h.staff('S-B');
    await b.post(`/v1/stores/S-B/pickup/tasks/${atB._id}/start`);
    for (const l of atB.lines)
      await b.post(`/v1/stores/S-B/pickup/tasks/${atB._id}/lines`, { sku: l.sku, qty: l.qty });
    await b.post(`/v1/stores/S-B/pickup/tasks/${atB._id}/ready`);
    const { code, qr } = await customerCode(h, atB);
    expect(h.svc.codes.verifyQr(qr, h.clock.now())).toMatchObject({ ok: true });
    expect((await b.post(`/v1/stores/S-B/pickup/tasks/${atB._id}/collect`, { code })).status).toBe(200);
    const collected = await h.waitEvent('omni.pickup.task.collected.v1', (e) => e.subject === id);
    expect(collected.data).toMatchObject({
      taskId: atB._id,
      storeId: 'S-B',
      reservationId: `res2-${id}`,
      offline: false,
    });
    const types = h.events
      .filter((e) => e.subject === id)
      .map((e) => e.type.replace('omni.pickup.task.', ''));
    expect(types).toEqual(['created.v1', 'short-picked.v1', 'created.v1', 'ready.v1', 'collected.v1']);
  });

  it('order → ready → no-show → expired (orders releases the stock)', async () => {
    const id = orderId('noshow');
    await h.publish(OrderConfirmed, id, confirmedData(id, 'S-A'));
    const task = await h.waitTask(id);
    const a = await h.staff('S-A');
    await a.post(`/v1/stores/S-A/pickup/tasks/${task._id}/start`);
    for (const l of task.lines)
      await a.post(`/v1/stores/S-A/pickup/tasks/${task._id}/lines`, { sku: l.sku, qty: l.qty });
    await a.post(`/v1/stores/S-A/pickup/tasks/${task._id}/ready`);
    expect(await h.svc.expireDue(new Date(h.clock.now().getTime() + 3 * DAY))).toBe(1);
    const expired = await h.waitEvent('omni.pickup.task.expired.v1', (e) => e.subject === id);
    expect(expired.data).toEqual({
      taskId: task._id,
      orderId: id,
      storeId: 'S-A',
      reservationId: `res-${id}`,
    });
  });
});
