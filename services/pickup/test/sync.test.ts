import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCancelled, OrderRerouted } from '@omni/contracts';
import { customerCode, placeTask, readyTask, startPickup, wrongCodeFor, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startPickup();
});
afterAll(async () => h?.stop());

interface Change {
  taskId: string;
  state: string;
  seq: number;
}
interface Result {
  clientOpId: string;
  outcome: string;
  replayed: boolean;
  state?: string;
  error?: { status: number; type: string; attemptsLeft?: number };
  conflictId?: string;
}

const at = () => h.clock.now().toISOString();

describe('offline counter sync', () => {
  it('change feed: every change once per cursor, latest state, monotonic per store, nothing code-derived', async () => {
    const store = 'store-feed';
    const api = await h.staff(store);
    const t1 = await placeTask(h, store);
    const t2 = await placeTask(h, store);
    const first = await api.get<{ items: Change[]; cursor: string; hasMore: boolean }>(
      `/v1/stores/${store}/pickup/changes`,
    );
    expect(first.status).toBe(200);
    expect(first.body.items.map((c) => c.taskId)).toEqual([t1._id, t2._id]);
    expect(first.body.hasMore).toBe(false);
    // The counter never sees the code, nor anything derived from it (see offline-codes.test.ts).
    const { code } = await customerCode(h, t1);
    expect(JSON.stringify(first.body)).not.toContain(`"${code}"`);

    await api.post(`/v1/stores/${store}/pickup/tasks/${t1._id}/start`);
    const next = await api.get<{ items: Change[]; cursor: string }>(
      `/v1/stores/${store}/pickup/changes?cursor=${first.body.cursor}`,
    );
    expect(next.body.items.map((c) => [c.taskId, c.state])).toEqual([[t1._id, 'picking']]);
    expect(Number(next.body.cursor)).toBeGreaterThan(Number(first.body.cursor));
    const none = await api.get<{ items: Change[]; cursor: string }>(
      `/v1/stores/${store}/pickup/changes?cursor=${next.body.cursor}`,
    );
    expect(none.body).toMatchObject({ items: [], cursor: next.body.cursor });
    const paged = await api.get<{ items: Change[]; hasMore: boolean }>(
      `/v1/stores/${store}/pickup/changes?limit=1`,
    );
    expect(paged.body).toMatchObject({ hasMore: true });
    expect((await api.get(`/v1/stores/${store}/pickup/changes?cursor=abc`)).status).toBe(400);
    expect((await (await h.staff('elsewhere')).get(`/v1/stores/${store}/pickup/changes`)).status).toBe(403);
  });

  it('applies a batch in order, exactly once per clientOpId; a replayed batch changes nothing', async () => {
    const store = 'store-batch';
    const task = await placeTask(h, store);
    const { code } = await customerCode(h, task);
    const actions = [
      { clientOpId: 'c1', taskId: task._id, type: 'start', at: at() },
      { clientOpId: 'c2', taskId: task._id, type: 'confirm-line', sku: 'SKU-A', qty: 2, at: at() },
      { clientOpId: 'c3', taskId: task._id, type: 'confirm-line', barcode: 'SKU-B', qty: 1, at: at() },
      { clientOpId: 'c4', taskId: task._id, type: 'ready', at: at() },
      { clientOpId: 'c5', taskId: task._id, type: 'collected', code, at: at() },
    ];
    const api = await h.staff(store);
    const res = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, { actions });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => [r.clientOpId, r.outcome, r.state, r.replayed])).toEqual([
      ['c1', 'applied', 'picking', false],
      ['c2', 'applied', 'picking', false],
      ['c3', 'applied', 'picking', false],
      ['c4', 'applied', 'ready', false],
      ['c5', 'applied', 'collected', false],
    ]);
    const ev = await h.waitEvent('omni.pickup.task.collected.v1', (e) => e.subject === task.orderId);
    expect(ev.data).toMatchObject({ offline: true });
    const seq = (await h.taskOf(task.orderId))!.seq;

    const again = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, { actions });
    expect(again.body.results.map((r) => [r.outcome, r.replayed])).toEqual(Array(5).fill(['applied', true]));
    expect((await h.taskOf(task.orderId))!.seq).toBe(seq);
    // Same client op id for something else: refused, not applied.
    const reused = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, {
      actions: [{ clientOpId: 'c1', taskId: task._id, type: 'ready', at: at() }],
    });
    expect(reused.body.results[0]).toMatchObject({
      outcome: 'rejected',
      error: { status: 422, type: 'https://omni.dev/problems/client-op-id-reused' },
    });
    await h.svc.events.flush();
    expect(
      h.events.filter((e) => e.type === 'omni.pickup.task.collected.v1' && e.subject === task.orderId),
    ).toHaveLength(1);
  });

  it('records rejected actions too, so their replay answers the same', async () => {
    const store = 'store-rej';
    const task = await placeTask(h, store);
    const api = await h.staff(store);
    const batch = {
      actions: [
        { clientOpId: 'r1', taskId: task._id, type: 'ready', at: at() },
        { clientOpId: 'r2', taskId: 'missing', type: 'start', at: at() },
        { clientOpId: 'r3', taskId: task._id, type: 'confirm-line', at: at() },
      ],
    };
    const first = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, batch);
    expect(first.body.results.map((r) => [r.outcome, r.error?.status])).toEqual([
      ['rejected', 409],
      ['rejected', 404],
      ['rejected', 400],
    ]);
    await api.post(`/v1/stores/${store}/pickup/tasks/${task._id}/start`);
    const replay = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, batch);
    expect(replay.body.results.map((r) => [r.outcome, r.error?.status, r.replayed])).toEqual([
      ['rejected', 409, true],
      ['rejected', 404, true],
      ['rejected', 400, true],
    ]);
    const tooMany = await api.post(`/v1/stores/${store}/pickup/actions`, {
      actions: Array.from({ length: 201 }, (_, i) => ({
        clientOpId: `x${i}`,
        taskId: task._id,
        type: 'start',
        at: at(),
      })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('concurrent duplicate batches apply each op once', async () => {
    const store = 'store-conc';
    const tasks = await Promise.all([placeTask(h, store), placeTask(h, store), placeTask(h, store)]);
    const actions = tasks.map((t, i) => ({ clientOpId: `s${i}`, taskId: t._id, type: 'start', at: at() }));
    const api = await h.staff(store);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, { actions }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < tasks.length; i++) {
      const outcomes = results.map((r) => r.body.results[i]!);
      expect(outcomes.every((o) => o.outcome === 'applied' && o.state === 'picking')).toBe(true);
      expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    }
    expect(await h.svc.store.collection('pickup_sync_ops').countDocuments({ storeId: store })).toBe(3);
  });

  it('a collection made offline for an order cancelled meanwhile is a conflict: reported, stored for ops, resolvable', async () => {
    const store = 'store-off';
    const task = await readyTask(h, store);
    const { code } = await customerCode(h, task);
    await h.publish(OrderCancelled, task.orderId, {
      orderId: task.orderId,
      reason: 'customer cancelled online',
    });
    await h.waitTask(task.orderId, (t) => t.state === 'cancelled');
    const api = await h.staff(store);
    const res = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, {
      actions: [
        {
          clientOpId: 'off-1',
          taskId: task._id,
          type: 'collected',
          code,
          at: new Date(h.clock.now().getTime() - 60_000).toISOString(),
        },
      ],
    });
    expect(res.body.results[0]).toMatchObject({ outcome: 'conflict', state: 'cancelled' });
    const conflictId = res.body.results[0]!.conflictId!;
    const replay = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, {
      actions: [{ clientOpId: 'off-1', taskId: task._id, type: 'collected', code, at: at() }],
    });
    expect(replay.body.results[0]).toMatchObject({ outcome: 'conflict', conflictId, replayed: true });

    const ops = h.api(await h.deps.issuer.ops());
    const list = await ops.get<{
      items: Array<{ conflictId: string; kind: string; detail: string; clientOpId: string }>;
    }>(`/v1/ops/pickup/conflicts?storeId=${store}`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      conflictId,
      kind: 'collected-after-cancel',
      clientOpId: 'off-1',
    });
    expect(list.body.items[0]!.detail).toContain('code verified');
    // The store's manager sees their store's conflicts; a clerk or another store's manager does not.
    expect(
      (await (await h.staff(store, 'manager')).get(`/v1/ops/pickup/conflicts?storeId=${store}`)).body,
    ).toMatchObject({ items: [{ conflictId }] });
    expect(
      (await (await h.staff('other', 'manager')).get(`/v1/ops/pickup/conflicts?storeId=${store}`)).status,
    ).toBe(403);
    expect((await api.get('/v1/ops/pickup/conflicts')).status).toBe(403);
    // A client bound to another store, even with pickup:manage, lists nothing of this one.
    const otherClient = h.api(
      await h.deps.issuer.sign({
        role: 'service',
        sub: 'svc-other',
        scope: 'pickup:manage',
        stores: { other: 'clerk' },
      }),
    );
    expect((await otherClient.get<{ items: unknown[] }>('/v1/ops/pickup/conflicts')).body.items).toEqual([]);
    expect((await otherClient.get(`/v1/ops/pickup/conflicts?storeId=${store}`)).status).toBe(403);
    // Only ops resolves.
    expect(
      (
        await (
          await h.staff(store, 'manager')
        ).post(`/v1/ops/pickup/conflicts/${encodeURIComponent(conflictId)}/resolve`, {
          resolution: 'refunded',
        })
      ).status,
    ).toBe(403);
    const resolved = await ops.post(`/v1/ops/pickup/conflicts/${encodeURIComponent(conflictId)}/resolve`, {
      resolution: 'charged customer again',
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'ops-1' });
    expect(
      (
        await ops.post(`/v1/ops/pickup/conflicts/${encodeURIComponent(conflictId)}/resolve`, {
          resolution: 'again',
        })
      ).status,
    ).toBe(409);
    expect((await h.svc.audit.query({ action: 'pickup.conflict.resolve' }, { limit: 5 })).items).toHaveLength(
      1,
    );
  });

  it('offline collected for a re-routed task, and with a code that does not verify, are conflicts too', async () => {
    const store = 'store-off2';
    const rerouted = await placeTask(h, store);
    const { code: code1 } = await customerCode(h, rerouted);
    await h.publish(OrderRerouted, rerouted.orderId, {
      orderId: rerouted.orderId,
      fromLocationId: store,
      toLocationId: 'elsewhere',
      reason: 'stock at risk',
      routeAttempt: 1,
    });
    await h.waitTask(rerouted.orderId, (t) => t.state === 'rerouted');
    const open = await readyTask(h, store);
    const { code: code2 } = await customerCode(h, open);
    const api = await h.staff(store);
    const res = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, {
      actions: [
        { clientOpId: 'o1', taskId: rerouted._id, type: 'collected', code: code1, at: at() },
        { clientOpId: 'o2', taskId: open._id, type: 'collected', code: wrongCodeFor(code2), at: at() },
      ],
    });
    expect(res.body.results.map((r) => r.outcome)).toEqual(['conflict', 'conflict']);
    const kinds = (await h.svc.store.collection('pickup_conflicts').find({ storeId: store }))
      .map((c) => c.kind)
      .sort();
    expect(kinds).toEqual(['collected-after-reroute', 'collected-offline-code-invalid']);
    expect(await h.taskOf(open.orderId)).toMatchObject({ state: 'ready', failedAttempts: 1 });
  });

  it('an offline collection of a task the server still has in picking is accepted once the code verifies', async () => {
    const store = 'store-off3';
    const task = await placeTask(h, store);
    const { code } = await customerCode(h, task);
    const api = await h.staff(store);
    await api.post(`/v1/stores/${store}/pickup/tasks/${task._id}/start`);
    const clientAt = new Date(h.clock.now().getTime() - 5 * 60_000).toISOString();
    const res = await api.post<{ results: Result[] }>(`/v1/stores/${store}/pickup/actions`, {
      actions: [{ clientOpId: 'p1', taskId: task._id, type: 'collected', code, at: clientAt }],
    });
    expect(res.body.results[0]).toMatchObject({ outcome: 'applied', state: 'collected' });
    expect(await h.taskOf(task.orderId)).toMatchObject({ state: 'collected', collectedOffline: true });
  });
});
