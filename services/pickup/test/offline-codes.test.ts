import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PickupCodes } from '../src';
import type { PickupTask } from '../src/domain/task';
import { customerCode, placeTask, readyTask, startPickup, wrongCodeFor, type Harness } from './helpers';

// Issue 13 items 12 (brute force through the offline counter path) and 13 (offline verifiers).

let h: Harness;
beforeAll(async () => {
  h = await startPickup();
});
afterAll(async () => h?.stop());

interface Result {
  clientOpId: string;
  outcome: string;
  replayed: boolean;
  state?: string;
  error?: { status: number; type: string; attemptsLeft?: number };
}

const at = () => h.clock.now().toISOString();
const problem = (slug: string) => `https://omni.dev/problems/${slug}`;

async function sync(store: string, actions: object[]): Promise<Result[]> {
  const res = await (
    await h.staff(store)
  ).post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, { actions });
  expect(res.status).toBe(200);
  return res.body.results;
}

const collected = (id: string, taskId: string, proof: { code: string } | { qr: string }) => ({
  clientOpId: id,
  taskId,
  type: 'collected',
  at: at(),
  ...proof,
});

describe('pickup codes through the offline counter path', () => {
  it('checks at most 3 code-bearing actions per task in a batch; the rest are refused unrecorded (429)', async () => {
    const store = 'bf-batch';
    const task = await readyTask(h, store);
    const { code } = await customerCode(h, task);
    const wrong = wrongCodeFor(code);
    const results = await sync(
      store,
      Array.from({ length: 40 }, (_, i) => collected(`w${i}`, task._id, { code: wrong })),
    );
    expect(results.slice(0, 3).map((r) => r.outcome)).toEqual(['conflict', 'conflict', 'conflict']);
    for (const r of results.slice(3)) {
      expect(r).toMatchObject({
        outcome: 'rejected',
        error: { status: 429, type: problem('too-many-code-attempts') },
      });
    }
    expect(await h.taskOf(task.orderId)).toMatchObject({ state: 'ready', failedAttempts: 3 });
    // Refused actions were not recorded: the same op id is checked in a later batch (and counted).
    const later = await sync(store, [collected('w3', task._id, { code: wrong })]);
    expect(later[0]).toMatchObject({ outcome: 'conflict', replayed: false });
    expect(await h.taskOf(task.orderId)).toMatchObject({ failedAttempts: 4 });
  });

  it('stops checking codes in a batch after 10 failures across tasks', async () => {
    const store = 'bf-spread';
    const tasks: PickupTask[] = [];
    for (let i = 0; i < 12; i++) tasks.push(await placeTask(h, store));
    const results = await sync(
      store,
      tasks.map((t, i) => collected(`s${i}`, t._id, { code: '999999' })),
    );
    // (A task whose code happens to be 999999 would be collected: 1 in 10^6 per task.)
    expect(results.slice(0, 10).every((r) => r.outcome !== 'rejected')).toBe(true);
    expect(results.slice(10).map((r) => r.error?.status)).toEqual([429, 429]);
    for (const t of tasks.slice(10)) expect(await h.taskOf(t.orderId)).toMatchObject({ failedAttempts: 0 });
  });

  it('wrong codes on both paths share one lockout; the lock holds offline, even for the right code', async () => {
    const store = 'bf-lock';
    const task = await readyTask(h, store);
    const { code, qr } = await customerCode(h, task);
    const wrong = wrongCodeFor(code);
    const api = await h.staff(store);
    const base = `/v1/stores/${store}/pickup/tasks/${task._id}`;

    await sync(store, [
      collected('l1', task._id, { code: wrong }),
      collected('l2', task._id, { code: wrong }),
    ]);
    const online = await api.post(`${base}/collect`, { code: wrong });
    expect(online.status).toBe(422);
    expect(online.body).toMatchObject({ attemptsLeft: 2 });
    await sync(store, [collected('l3', task._id, { code: wrong })]);
    // Offline wrong codes locked it online...
    expect((await api.post(`${base}/collect`, { code: wrong })).status).toBe(423);
    expect((await api.post(`${base}/collect`, { code })).status).toBe(423);
    // ...and the online lock holds offline: the right typed code is not even checked.
    const right = await sync(store, [collected('l4', task._id, { code })]);
    expect(right[0]).toMatchObject({
      outcome: 'rejected',
      error: { status: 423, type: problem('pickup-task-locked') },
    });
    expect(await h.taskOf(task.orderId)).toMatchObject({ state: 'ready', failedAttempts: 5 });
    // A signed QR cannot be guessed: goods handed over against one become a conflict for ops, task still locked.
    const byQr = await sync(store, [collected('l5', task._id, { qr })]);
    expect(byQr[0]).toMatchObject({ outcome: 'conflict', state: 'ready' });
    const conflicts = await h.svc.store.collection('pickup_conflicts').find({ taskId: task._id });
    expect(conflicts.map((c) => c.kind)).toContain('collected-while-locked');
    expect(await h.taskOf(task.orderId)).toMatchObject({ state: 'ready', failedAttempts: 5 });
    await h.svc.events.flush();
    expect(
      h.events.filter((e) => e.type === 'omni.pickup.task.collected.v1' && e.subject === task.orderId),
    ).toEqual([]);
  });
});

describe('offline verification without a code verifier', () => {
  it('the change feed carries nothing that depends on the code', async () => {
    const store = 'feed-free';
    const task = await placeTask(h, store);
    const { code } = await customerCode(h, task);
    const api = await h.staff(store);
    const feed = async () =>
      (await api.get<{ items: Array<Record<string, unknown>> }>(`/v1/stores/${store}/pickup/changes`)).body
        .items[0]!;
    const before = await feed();
    expect(before).not.toHaveProperty('offlineVerifier');
    expect(JSON.stringify(before)).not.toContain(code);
    // Give the task another code behind the feed's back: the feed is byte for byte the same, so it
    // holds no information about the code (nothing to exhaust, at any CPU cost).
    const other = h.svc.codes.issue(task._id);
    await h.svc.store
      .collection<PickupTask>('pickup_tasks')
      .updateOne({ _id: task._id }, { $set: { 'code.nonce': other.nonce, 'code.hash': other.hash } });
    expect(await feed()).toEqual(before);
    expect(await h.svc.store.collection<PickupTask>('pickup_tasks').findById(task._id)).not.toHaveProperty(
      'code.offline',
    );
  });

  it('an offline counter verifies the QR with the store public key, hands over, and syncs', async () => {
    const store = 'qr-offline';
    const task = await readyTask(h, store);
    const { qr } = await customerCode(h, task);
    const api = await h.staff(store);
    const { qrPublicKey } = (await api.get<{ qrPublicKey: string }>(`/v1/stores/${store}/pickup`)).body;
    // Offline: the PEM is all the counter has.
    const check = PickupCodes.verifyQrWith(qr, qrPublicKey, h.clock.now());
    expect(check).toMatchObject({ ok: true, claims: { taskId: task._id, storeId: store } });
    const results = await sync(store, [collected('q1', task._id, { qr })]);
    expect(results[0]).toMatchObject({ outcome: 'applied', state: 'collected' });
    const ev = await h.waitEvent('omni.pickup.task.collected.v1', (e) => e.subject === task.orderId);
    expect(ev.data).toMatchObject({ offline: true });
  });
});

describe('stores pickup does not know (issue 13 item 17)', () => {
  it('GET, pause, resume, config, queue, feed and batch of an unknown store → 404, nothing created', async () => {
    const store = 'S404';
    const manager = await h.staff(store, 'manager');
    const calls = [
      await manager.get(`/v1/stores/${store}/pickup`),
      await manager.post(`/v1/stores/${store}/pickup/pause`, { reason: 'nobody home' }),
      await manager.post(`/v1/stores/${store}/pickup/resume`),
      await manager.put(`/v1/stores/${store}/pickup/config`, { prepMinutes: 20 }),
      await manager.get(`/v1/stores/${store}/pickup/tasks`),
      await manager.get(`/v1/stores/${store}/pickup/changes`),
      await manager.post(`/v1/stores/${store}/pickup/actions`, {
        actions: [{ clientOpId: 'u1', taskId: 'nope', type: 'start', at: at() }],
      }),
    ];
    calls.push(await h.api(await h.deps.issuer.ops()).get(`/v1/ops/pickup/conflicts?storeId=${store}`));
    for (const res of calls) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ type: problem('store-not-found') });
    }
    expect(await h.svc.store.collection('pickup_stores').findById(store)).toBeNull();
    expect(h.events.filter((e) => e.subject === store)).toEqual([]);
  });

  it('a store becomes known with its first pickup order, or from configuration', async () => {
    const store = 'S405';
    const manager = await h.staff(store, 'manager');
    await placeTask(h, store);
    expect((await manager.get(`/v1/stores/${store}/pickup`)).status).toBe(200);
    const configured = await startPickup({ stores: ['S406'] });
    try {
      const api = await configured.staff('S406', 'manager');
      expect((await api.get('/v1/stores/S406/pickup')).status).toBe(200);
      expect((await api.post('/v1/stores/S406/pickup/pause', { reason: 'opening soon' })).status).toBe(200);
    } finally {
      await configured.stop();
    }
  });
});
