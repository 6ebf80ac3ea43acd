import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCancelled, OrderConfirmed, OrderRerouted } from '@omni/contracts';
import { waitFor } from '@omni/testing';
import type { PickupTask } from '../src/domain/task';
import {
  confirmedData,
  customerCode,
  orderId,
  placeTask,
  readyTask,
  startPickup,
  type Harness,
} from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startPickup({ stores: ['store-p'] });
});
afterAll(async () => h?.stop());

const drained = () => h.drained();

const tasksOf = (id: string) =>
  h.svc.store.collection<PickupTask>('pickup_tasks').find({ orderId: id }, { sort: { routeAttempt: 1 } });

describe('order events → pickup tasks', () => {
  it('ignores orders that are not for pickup', async () => {
    const id = orderId();
    await h.publish(
      OrderConfirmed,
      id,
      confirmedData(id, 'wh-1', { fulfilment: { method: 'ship', locationId: 'wh-1' } }),
    );
    await drained();
    expect(await tasksOf(id)).toHaveLength(0);
  });

  it('a redelivered event (same id) and a duplicate confirmation (new id) make one task', async () => {
    const id = orderId();
    const event = await h.publish(OrderConfirmed, id, confirmedData(id, 'store-dup'));
    await h.waitTask(id);
    await h.republish(event);
    await h.publish(OrderConfirmed, id, confirmedData(id, 'store-dup'));
    await drained();
    expect(await tasksOf(id)).toHaveLength(1);
    expect(h.events.filter((e) => e.type === 'omni.pickup.task.created.v1' && e.subject === id)).toHaveLength(
      1,
    );
  });

  it('cancel: a live task is cancelled and its code stops working; cancelled again changes nothing', async () => {
    const task = await readyTask(h, 'store-c');
    const { code } = await customerCode(h, task);
    await h.publish(OrderCancelled, task.orderId, {
      orderId: task.orderId,
      reason: 'customer changed mind',
      locationId: 'store-c',
    });
    const cancelled = await h.waitTask(task.orderId, (t) => t.state === 'cancelled');
    expect(cancelled.closeReason).toContain('customer changed mind');
    const api = await h.staff('store-c');
    expect((await api.post(`/v1/stores/store-c/pickup/tasks/${task._id}/collect`, { code })).status).toBe(
      409,
    );
    const seqBefore = cancelled.seq;
    await h.publish(OrderCancelled, task.orderId, { orderId: task.orderId, reason: 'again' });
    await drained();
    expect((await h.taskOf(task.orderId))?.seq).toBe(seqBefore);
  });

  it('cancel arriving before confirm leaves a tombstone: the late confirm makes no live task', async () => {
    const id = orderId();
    await h.publish(OrderCancelled, id, { orderId: id, reason: 'payment failed' });
    await h.publish(OrderConfirmed, id, confirmedData(id, 'store-c'));
    await drained();
    expect(await tasksOf(id)).toHaveLength(0);
  });

  it('re-route voids the task at the old store; the new store gets a fresh task with another code', async () => {
    const first = await placeTask(h, 'store-A');
    const oldCode = (await customerCode(h, first)).code;
    await h.publish(OrderRerouted, first.orderId, {
      orderId: first.orderId,
      fromLocationId: 'store-A',
      toLocationId: 'store-B',
      reason: 'short pick',
      routeAttempt: 1,
    });
    await h.waitTask(first.orderId, (t) => t.state === 'rerouted', 0);
    await h.publish(
      OrderConfirmed,
      first.orderId,
      confirmedData(first.orderId, 'store-B', { routeAttempt: 1, reservationId: 'res-2' }),
    );
    const second = await h.waitTask(first.orderId, (t) => t.storeId === 'store-B', 1);
    expect(second).toMatchObject({ state: 'queued', reservationId: 'res-2', routeAttempt: 1 });
    // The customer now sees the new store's task and code.
    const view = await customerCode(h, second);
    expect(view).toMatchObject({ storeId: 'store-B', state: 'queued' });
    expect(view.code).toMatch(/^[0-9]{6}$/);
    expect(
      (await (await h.staff('store-A')).post(`/v1/stores/store-A/pickup/tasks/${first._id}/start`)).status,
    ).toBe(409);
    expect(oldCode).toMatch(/^[0-9]{6}$/);
  });

  it('out of order: re-route before the first confirm, and a stale (older attempt) confirm, are harmless', async () => {
    const id = orderId();
    await h.publish(OrderRerouted, id, {
      orderId: id,
      fromLocationId: 'store-A',
      toLocationId: 'store-B',
      reason: 'rejected',
      routeAttempt: 1,
    });
    await h.publish(OrderConfirmed, id, confirmedData(id, 'store-A', { routeAttempt: 0 }));
    await h.publish(OrderConfirmed, id, confirmedData(id, 'store-B', { routeAttempt: 1 }));
    await h.waitTask(id, (t) => t.storeId === 'store-B');
    await h.publish(OrderConfirmed, id, confirmedData(id, 'store-A', { routeAttempt: 0 }));
    await drained();
    const tasks = await tasksOf(id);
    expect(tasks.map((t) => [t.storeId, t.routeAttempt, t.state])).toEqual([['store-B', 1, 'queued']]);
  });

  it('a newer confirm supersedes a live older task even if its re-route event never came', async () => {
    const task = await placeTask(h, 'store-A');
    await h.publish(
      OrderConfirmed,
      task.orderId,
      confirmedData(task.orderId, 'store-B', { routeAttempt: 1 }),
    );
    await h.waitTask(task.orderId, () => true, 1);
    const tasks = await tasksOf(task.orderId);
    expect(tasks.map((t) => [t.storeId, t.state])).toEqual([
      ['store-A', 'rerouted'],
      ['store-B', 'queued'],
    ]);
  });

  it('A → B → A: the second visit to a store gets its own live task', async () => {
    const task = await placeTask(h, 'store-A');
    await h.publish(OrderRerouted, task.orderId, {
      orderId: task.orderId,
      fromLocationId: 'store-A',
      toLocationId: 'store-B',
      reason: 'short',
      routeAttempt: 1,
    });
    await h.publish(
      OrderConfirmed,
      task.orderId,
      confirmedData(task.orderId, 'store-B', { routeAttempt: 1 }),
    );
    await h.publish(OrderRerouted, task.orderId, {
      orderId: task.orderId,
      fromLocationId: 'store-B',
      toLocationId: 'store-A',
      reason: 'short',
      routeAttempt: 2,
    });
    await h.publish(
      OrderConfirmed,
      task.orderId,
      confirmedData(task.orderId, 'store-A', { routeAttempt: 2 }),
    );
    await h.waitTask(task.orderId, () => true, 2);
    expect((await tasksOf(task.orderId)).map((t) => [t.storeId, t.routeAttempt, t.state])).toEqual([
      ['store-A', 0, 'rerouted'],
      ['store-B', 1, 'rerouted'],
      ['store-A', 2, 'queued'],
    ]);
  });

  it('cancel after collection is a conflict for ops, not dropped', async () => {
    const task = await readyTask(h, 'store-c');
    const { code } = await customerCode(h, task);
    expect(
      (await (await h.staff('store-c')).post(`/v1/stores/store-c/pickup/tasks/${task._id}/collect`, { code }))
        .status,
    ).toBe(200);
    await h.publish(OrderCancelled, task.orderId, { orderId: task.orderId, reason: 'ops cancelled' });
    const ops = h.api(await h.deps.issuer.ops());
    const conflict = await waitFor(async () => {
      const page = await ops.get<{ items: Array<{ taskId: string; kind: string; status: string }> }>(
        '/v1/ops/pickup/conflicts?status=open',
      );
      return page.body.items.find((c) => c.taskId === task._id);
    });
    expect(conflict).toMatchObject({ kind: 'cancelled-after-collected', status: 'open' });
    expect((await h.taskOf(task.orderId))?.state).toBe('collected');
  });

  it('an order routed to a paused store still becomes a task, flagged', async () => {
    const manager = await h.staff('store-p', 'manager');
    expect((await manager.post('/v1/stores/store-p/pickup/pause', { reason: 'staff shortage' })).status).toBe(
      200,
    );
    const task = await placeTask(h, 'store-p');
    expect(task.storePausedAtCreation).toBe(true);
    const list = await manager.get<{ items: Array<{ taskId: string; storePausedAtCreation: boolean }> }>(
      '/v1/stores/store-p/pickup/tasks',
    );
    expect(list.body.items.find((t) => t.taskId === task._id)?.storePausedAtCreation).toBe(true);
  });
});
