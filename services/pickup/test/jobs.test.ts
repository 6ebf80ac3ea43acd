import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerNotification, Notifier } from '../src';
import { customerCode, DAY, HOUR, MIN, placeTask, readyTask, startPickup, type Harness } from './helpers';

/** Records notifications; fails the first `failures` sends. */
class RecordingNotifier implements Notifier {
  readonly name = 'recording';
  sent: CustomerNotification[] = [];
  failures = 0;
  async send(n: CustomerNotification): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('gateway down');
    }
    this.sent.push(n);
  }
}

const notifier = new RecordingNotifier();
let h: Harness;
beforeAll(async () => {
  h = await startPickup({
    // Paused and configured before their first order: known from configuration.
    stores: ['store-m', 'store-t', 'store-x', 'store-y'],
    notifier,
    timings: {
      sweepIntervalMs: 3600_000,
      notifyIntervalMs: 3600_000,
      notificationRetryBaseMs: 1000,
      notificationMaxSends: 3,
      notifyOnCommit: false,
    },
  });
});
afterAll(async () => h?.stop());

describe('no-shows and reminders', () => {
  it('tells the customer when ready, reminds before the hold ends, expires after it (PickupTaskExpired)', async () => {
    const task = await readyTask(h, 'store-x');
    await h.svc.deliverNotifications();
    expect(notifier.sent.filter((n) => n.taskId === task._id)).toEqual([
      {
        id: `${task._id}:ready`,
        kind: 'ready',
        orderId: task.orderId,
        taskId: task._id,
        storeId: 'store-x',
        customerId: 'cust-1',
        holdUntil: task.holdUntil,
      },
    ]);
    const { code } = await customerCode(h, task);
    expect(JSON.stringify(notifier.sent)).not.toContain(code);

    // Default hold 3 days, reminder 12 h before its end.
    expect(await h.svc.notifyExpiring(new Date(h.clock.now().getTime() + 2 * DAY + 11 * HOUR))).toBe(0);
    expect(await h.svc.notifyExpiring(new Date(h.clock.now().getTime() + 2 * DAY + 12 * HOUR))).toBe(1);
    expect(await h.svc.notifyExpiring(new Date(h.clock.now().getTime() + 2 * DAY + 13 * HOUR))).toBe(0);
    await h.svc.deliverNotifications();
    expect(notifier.sent.filter((n) => n.taskId === task._id).map((n) => n.kind)).toEqual([
      'ready',
      'expiring',
    ]);

    expect(await h.svc.expireDue(new Date(Date.parse(task.holdUntil!) - 1))).toBe(0);
    h.clock.set(task.holdUntil!);
    expect(await h.svc.expireDue()).toBe(1);
    expect(await h.svc.expireDue()).toBe(0);
    const expired = await h.taskOf(task.orderId);
    expect(expired).toMatchObject({ state: 'expired', closeReason: 'not collected within the hold period' });
    const ev = await h.waitEvent('omni.pickup.task.expired.v1', (e) => e.subject === task.orderId);
    expect(ev.data).toEqual({
      taskId: task._id,
      orderId: task.orderId,
      storeId: 'store-x',
      reservationId: task.reservationId,
    });
    // The code is dead: the customer no longer sees it, the counter cannot collect.
    expect((await customerCode(h, task)).code).toBeNull();
    expect(
      (await (await h.staff('store-x')).post(`/v1/stores/store-x/pickup/tasks/${task._id}/collect`, { code }))
        .status,
    ).toBe(409);
  });

  it('retries a failed notification with backoff and gives up after the configured sends', async () => {
    notifier.failures = 1;
    const task = await readyTask(h, 'store-y');
    expect(await h.svc.deliverNotifications()).toMatchObject({ sent: 0, retrying: 1 });
    expect(await h.svc.deliverNotifications()).toMatchObject({ sent: 0, retrying: 0 }); // not due yet
    expect(await h.svc.deliverNotifications(new Date(h.clock.now().getTime() + 1500))).toMatchObject({
      sent: 1,
    });
    expect(notifier.sent.filter((n) => n.taskId === task._id)).toHaveLength(1);

    notifier.failures = 100;
    const doomed = await readyTask(h, 'store-y');
    let t = h.clock.now().getTime();
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await h.svc.deliverNotifications(new Date(t)));
      t += HOUR;
    }
    expect(outcomes.map((o) => o.failed)).toEqual([0, 0, 1, 0]);
    const stored = await h.svc.store.collection('pickup_notifications').findById(`${doomed._id}:ready`);
    expect(stored).toMatchObject({ status: 'failed', attempts: 3, lastError: 'gateway down' });
    notifier.failures = 0;
  });
});

describe('store pause and throttling', () => {
  it('manager pause/resume emit events once and are audited; ops can pause too', async () => {
    const manager = await h.staff('store-m', 'manager');
    const paused = await manager.post('/v1/stores/store-m/pickup/pause', { reason: 'inventory count' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      paused: true,
      manualPause: { reason: 'inventory count', by: 'manager-store-m' },
    });
    await manager.post('/v1/stores/store-m/pickup/pause', { reason: 'still counting' });
    const ev = await h.waitEvent('omni.pickup.store.paused.v1', (e) => e.subject === 'store-m');
    expect(ev.data).toEqual({ storeId: 'store-m', reason: 'inventory count', automatic: false });
    const resumed = await manager.post('/v1/stores/store-m/pickup/resume');
    expect(resumed.body).toMatchObject({ paused: false });
    await h.waitEvent('omni.pickup.store.resumed.v1', (e) => e.subject === 'store-m');
    await h.svc.events.flush();
    expect(
      h.events.filter((e) => e.type === 'omni.pickup.store.paused.v1' && e.subject === 'store-m'),
    ).toHaveLength(1);
    const audit = await h.svc.audit.query({ targetId: 'store-m' }, { limit: 10 });
    expect(audit.items.map((a) => a.action).sort()).toEqual([
      'pickup.store.pause',
      'pickup.store.pause',
      'pickup.store.resume',
    ]);
    const ops = h.api(await h.deps.issuer.ops());
    expect((await ops.post('/v1/stores/store-m/pickup/pause', { reason: 'ops: system issue' })).status).toBe(
      200,
    );
    expect((await ops.post('/v1/stores/store-m/pickup/resume')).status).toBe(200);
  });

  it('pauses automatically when overdue tasks reach the threshold and resumes with hysteresis', async () => {
    const store = 'store-t';
    const manager = await h.staff(store, 'manager');
    const cfg = await manager.put(`/v1/stores/${store}/pickup/config`, {
      overdueThreshold: 3,
      resumeAtOrBelow: 1,
      prepMinutes: 10,
    });
    expect(cfg.status).toBe(200);
    expect(cfg.body).toMatchObject({
      config: { overdueThreshold: 3, resumeAtOrBelow: 1, prepMinutes: 10, holdDays: 3 },
    });
    expect((await manager.put(`/v1/stores/${store}/pickup/config`, { resumeAtOrBelow: 3 })).status).toBe(422);
    expect((await manager.put(`/v1/stores/${store}/pickup/config`, { prepMinutes: -1 })).status).toBe(400);
    expect((await manager.put(`/v1/stores/${store}/pickup/config`, {})).status).toBe(400);

    const tasks = [];
    for (let i = 0; i < 3; i++) tasks.push(await placeTask(h, store));
    h.clock.advance(11 * MIN);
    expect((await h.svc.checkThrottling()).filter((c) => c.storeId === store)).toEqual([
      { storeId: store, action: 'paused', overdue: 3 },
    ]);
    const ev = await h.waitEvent('omni.pickup.store.paused.v1', (e) => e.subject === store);
    expect(ev.data).toMatchObject({ storeId: store, automatic: true });
    const status = await manager.get(`/v1/stores/${store}/pickup`);
    expect(status.body).toMatchObject({
      paused: true,
      automaticPause: { overdue: 3 },
      counts: { queued: 3, overdue: 3 },
    });

    // One done → 2 overdue: above the low mark, stays paused.
    await manager.post(`/v1/stores/${store}/pickup/tasks/${tasks[0]!._id}/short`, {
      lines: [{ sku: 'SKU-A', qty: 1 }],
    });
    expect((await h.svc.checkThrottling()).filter((c) => c.storeId === store)).toEqual([]);
    // Two done → 1 overdue: resumes.
    await manager.post(`/v1/stores/${store}/pickup/tasks/${tasks[1]!._id}/short`, {
      lines: [{ sku: 'SKU-A', qty: 1 }],
    });
    expect((await h.svc.checkThrottling()).filter((c) => c.storeId === store)).toEqual([
      { storeId: store, action: 'resumed', overdue: 1 },
    ]);
    const resumed = await h.waitEvent('omni.pickup.store.resumed.v1', (e) => e.subject === store);
    expect(resumed.data).toEqual({ storeId: store, automatic: true });
    expect(
      (await h.svc.audit.query({ action: 'pickup.store.configure', targetId: store }, { limit: 5 })).items,
    ).toHaveLength(1);
  });
});
