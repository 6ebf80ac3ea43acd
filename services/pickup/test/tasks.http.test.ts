import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PickupCodes } from '../src';
import { customerCode, placeTask, readyTask, startPickup, wrongCodeFor, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startPickup();
});
afterAll(async () => h?.stop());

const S = 'store-http-1';

describe('pickup task lifecycle through HTTP and events', () => {
  it('order confirmed → queued task with code → start → confirm lines → ready → collected', async () => {
    const task = await placeTask(h, S);
    expect(task).toMatchObject({
      state: 'queued',
      storeId: S,
      routeAttempt: 0,
      reservationId: `res-${task.orderId}`,
      customerId: 'cust-1',
    });
    expect(task.lines).toEqual([
      { sku: 'SKU-A', name: 'Apples', qty: 2, confirmedQty: 0, shortQty: 0 },
      { sku: 'SKU-B', qty: 1, confirmedQty: 0, shortQty: 0 },
    ]);
    const created = await h.waitEvent(
      'omni.pickup.task.created.v1',
      (e) => (e.data as { taskId: string }).taskId === task._id,
    );
    expect(created.subject).toBe(task.orderId);
    expect(
      Date.parse((created.data as { promisedReadyAt: string }).promisedReadyAt) - h.clock.now().getTime(),
    ).toBe(30 * 60_000);

    const api = await h.staff(S);
    const base = `/v1/stores/${S}/pickup/tasks/${task._id}`;
    const listed = await api.get<{ items: Array<{ taskId: string; state: string; overdue: boolean }> }>(
      `/v1/stores/${S}/pickup/tasks?state=queued`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((t) => t.taskId === task._id)).toMatchObject({
      state: 'queued',
      overdue: false,
    });
    expect(JSON.stringify(listed.body)).not.toContain(task.code.hash);

    expect((await api.post(`${base}/start`)).body).toMatchObject({ state: 'picking' });
    expect((await api.post(`${base}/lines`, { sku: 'SKU-A', qty: 1 })).body).toMatchObject({
      lines: [
        { sku: 'SKU-A', confirmedQty: 1 },
        { sku: 'SKU-B', confirmedQty: 0 },
      ],
    });
    const notAll = await api.post(`${base}/ready`);
    expect(notAll.status).toBe(422);
    expect(notAll.body).toMatchObject({
      type: 'https://omni.dev/problems/lines-not-confirmed',
      unconfirmed: [
        { sku: 'SKU-A', missing: 1 },
        { sku: 'SKU-B', missing: 1 },
      ],
    });
    expect((await api.post(`${base}/lines`, { sku: 'SKU-A', qty: 1 })).status).toBe(200);
    expect((await api.post(`${base}/lines`, { barcode: 'SKU-B', qty: 1 })).status).toBe(200);
    const ready = await api.post<{ state: string; holdUntil: string }>(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.state).toBe('ready');
    expect(Date.parse(ready.body.holdUntil) - h.clock.now().getTime()).toBe(3 * 24 * 3600_000);
    await h.waitEvent('omni.pickup.task.ready.v1', (e) => (e.data as { taskId: string }).taskId === task._id);

    const { code } = await customerCode(h, task);
    expect(code).toMatch(/^[0-9]{6}$/);
    const collected = await api.post(`${base}/collect`, { code });
    expect(collected.status).toBe(200);
    expect(collected.body).toMatchObject({ state: 'collected', collectedOffline: false });
    const ev = await h.waitEvent(
      'omni.pickup.task.collected.v1',
      (e) => (e.data as { taskId: string }).taskId === task._id,
    );
    expect(ev.data).toMatchObject({
      taskId: task._id,
      orderId: task.orderId,
      storeId: S,
      reservationId: task.reservationId,
      offline: false,
    });

    // Not reusable: the same code again is a 409 (task already collected), and the customer no longer sees it.
    expect((await api.post(`${base}/collect`, { code })).status).toBe(409);
    expect((await customerCode(h, task)).code).toBeNull();
  });

  it('illegal transitions are 409 and change nothing', async () => {
    const task = await placeTask(h, S);
    const api = await h.staff(S);
    const base = `/v1/stores/${S}/pickup/tasks/${task._id}`;
    for (const [path, body] of [
      ['ready', undefined],
      ['lines', { sku: 'SKU-A', qty: 1 }],
      ['collect', { code: '123456' }],
    ] as const) {
      const res = await api.post(`${base}/${path}`, body);
      expect(res.status, path).toBe(409);
      expect(res.body).toMatchObject({
        type: 'https://omni.dev/problems/illegal-transition',
        state: 'queued',
      });
    }
    expect((await api.post(`${base}/start`)).status).toBe(200);
    expect((await api.post(`${base}/start`)).status).toBe(409);
    const short = await api.post(`${base}/short`, { lines: [{ sku: 'SKU-A', qty: 2 }] });
    expect(short.status).toBe(200);
    expect(short.body).toMatchObject({
      state: 'short',
      lines: [
        { sku: 'SKU-A', shortQty: 2 },
        { sku: 'SKU-B', shortQty: 0 },
      ],
    });
    const ev = await h.waitEvent(
      'omni.pickup.task.short-picked.v1',
      (e) => (e.data as { taskId: string }).taskId === task._id,
    );
    expect(ev.data).toMatchObject({ shortLines: [{ sku: 'SKU-A', qty: 2 }] });
    expect((await api.post(`${base}/start`)).status).toBe(409);
    expect((await api.post(`${base}/short`, { lines: [{ sku: 'SKU-A', qty: 1 }] })).status).toBe(409);
    expect((await h.taskOf(task.orderId))?.state).toBe('short');
  });

  it('bounds scans by the ordered qty and short reports by the lines (422), bad input 400 with nothing written', async () => {
    const task = await placeTask(h, S);
    const api = await h.staff(S);
    const base = `/v1/stores/${S}/pickup/tasks/${task._id}`;
    await api.post(`${base}/start`);
    const over = await api.post(`${base}/lines`, { sku: 'SKU-B', qty: 2 });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ type: 'https://omni.dev/problems/qty-exceeds-ordered' });
    expect((await api.post(`${base}/lines`, { sku: 'NOPE', qty: 1 })).body).toMatchObject({
      type: 'https://omni.dev/problems/sku-not-in-task',
    });
    expect((await api.post(`${base}/short`, { lines: [{ sku: 'SKU-B', qty: 5 }] })).status).toBe(422);
    const bad = await api.post(`${base}/lines`, { sku: 'SKU-A', qty: 0, extra: 1 });
    expect(bad.status).toBe(400);
    const both = await api.post(`${base}/lines`, { sku: 'SKU-A', barcode: 'x', qty: 1 });
    expect(both.status).toBe(400);
    const after = await h.taskOf(task.orderId);
    expect(after?.lines.map((l) => l.confirmedQty)).toEqual([0, 0]);
    expect(after?.state).toBe('picking');
    expect((await api.post(`/v1/stores/${S}/pickup/tasks/nope/start`)).status).toBe(404);
  });

  it("403 for another store's staff, for a clerk unlocking, for a customer working the queue; 401 without a token", async () => {
    const task = await placeTask(h, S);
    const other = await h.staff('store-other');
    expect((await other.post(`/v1/stores/${S}/pickup/tasks/${task._id}/start`)).status).toBe(403);
    expect((await other.get(`/v1/stores/${S}/pickup/tasks`)).status).toBe(403);
    // Their own store's URL does not reach a task of another store.
    expect((await other.post(`/v1/stores/store-other/pickup/tasks/${task._id}/start`)).status).toBe(404);
    const clerk = await h.staff(S);
    expect(
      (await clerk.post(`/v1/stores/${S}/pickup/tasks/${task._id}/unlock`, { reason: 'checked ID' })).status,
    ).toBe(403);
    expect((await clerk.post(`/v1/stores/${S}/pickup/pause`, { reason: 'busy' })).status).toBe(403);
    const customer = h.api(await h.deps.issuer.customer('cust-1'));
    expect((await customer.get(`/v1/stores/${S}/pickup/tasks`)).status).toBe(403);
    expect((await h.api().get(`/v1/stores/${S}/pickup/tasks`)).status).toBe(401);
    expect((await h.taskOf(task.orderId))?.state).toBe('queued');
  });

  it('wrong code → 422 with attempts left; locked after 5 → 423 even for the right code; manager unlock is audited', async () => {
    const task = await readyTask(h, S);
    const { code } = await customerCode(h, task);
    const api = await h.staff(S);
    const base = `/v1/stores/${S}/pickup/tasks/${task._id}`;
    for (let left = 4; left >= 1; left--) {
      const res = await api.post(`${base}/collect`, { code: wrongCodeFor(code) });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        type: 'https://omni.dev/problems/wrong-pickup-code',
        attemptsLeft: left,
      });
    }
    const locking = await api.post(`${base}/collect`, { code: wrongCodeFor(code) });
    expect(locking.status).toBe(423);
    const right = await api.post(`${base}/collect`, { code });
    expect(right.status).toBe(423);
    expect(right.body).toMatchObject({
      type: 'https://omni.dev/problems/pickup-task-locked',
      attemptsLeft: 0,
    });
    const listed = await api.get<{ items: Array<{ taskId: string; locked: boolean }> }>(
      `/v1/stores/${S}/pickup/tasks?state=ready&limit=200`,
    );
    expect(listed.body.items.find((t) => t.taskId === task._id)?.locked).toBe(true);

    const manager = await h.staff(S, 'manager');
    const unlocked = await manager.post(`${base}/unlock`, { reason: 'customer showed ID' });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ locked: false, attemptsLeft: 5 });
    expect((await manager.post(`${base}/unlock`, { reason: 'again' })).status).toBe(409);
    const audit = await h.svc.audit.query({ action: 'pickup.task.unlock', targetId: task._id }, { limit: 5 });
    expect(audit.items[0]).toMatchObject({
      actor: { sub: `manager-${S}` },
      details: { failedAttempts: 5, reason: 'customer showed ID' },
    });
    expect((await api.post(`${base}/collect`, { code })).status).toBe(200);
  });

  it('QR: scan collects; a tampered or foreign QR is refused', async () => {
    const task = await readyTask(h, S);
    const { qr, code } = await customerCode(h, task);
    const api = await h.staff(S);
    const [prefix, body, sig] = qr.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, c: wrongCodeFor(code) })).toString('base64url')}.${sig}`;
    const refused = await api.post(`/v1/stores/${S}/pickup/scan`, { qr: forged });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ type: 'https://omni.dev/problems/qr-unusable' });
    // A QR signed with another deployment's key: counted as a wrong attempt on the task route.
    const foreign = new PickupCodes({ secret: 'another-deployment-secret-xxxxxxxx' }).qrFor({
      taskId: task._id,
      storeId: S,
      code,
      exp: Math.floor(Date.now() / 1000) + 3600 * 24 * 30,
    });
    const wrong = await api.post(`/v1/stores/${S}/pickup/tasks/${task._id}/collect`, { qr: foreign });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ attemptsLeft: 4 });
    const elsewhere = await (await h.staff('store-b')).post(`/v1/stores/store-b/pickup/scan`, { qr });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body).toMatchObject({ type: 'https://omni.dev/problems/qr-other-store' });
    const ok = await api.post(`/v1/stores/${S}/pickup/scan`, { qr });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ taskId: task._id, state: 'collected' });
    expect((await api.post(`/v1/stores/${S}/pickup/scan`, { qr })).status).toBe(409);
  });

  it('lists by promised time with cursor pagination and flags overdue tasks', async () => {
    const store = 'store-list';
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(await placeTask(h, store));
      h.clock.advance(60_000);
    }
    const api = await h.staff(store);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/stores/${store}/pickup/tasks?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.get<{
        items: Array<{ taskId: string; promisedReadyAt: string }>;
        nextCursor: string | null;
      }>(q);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((t) => t.taskId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(created.map((t) => t._id));
    expect((await api.get(`/v1/stores/${store}/pickup/tasks?cursor=garbage`)).status).toBe(400);

    h.clock.advance(28 * 60_000); // created at +0..+4 min, now +33: the first three passed their 30-minute promise
    const overdue = await api.get<{ items: Array<{ taskId: string; overdue: boolean }> }>(
      `/v1/stores/${store}/pickup/tasks?overdue=true`,
    );
    expect(overdue.body.items.map((t) => t.taskId)).toEqual(created.slice(0, 3).map((t) => t._id));
    expect(overdue.body.items.every((t) => t.overdue)).toBe(true);
    const all = await api.get<{ items: Array<{ overdue: boolean }> }>(`/v1/stores/${store}/pickup/tasks`);
    expect(all.body.items.map((t) => t.overdue)).toEqual([true, true, true, false, false]);
  });
});

describe('pickup concurrency', () => {
  it('50 parallel collects with the right code → exactly one collected and one event', async () => {
    const task = await readyTask(h, S);
    const { code } = await customerCode(h, task);
    const api = await h.staff(S);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post(`/v1/stores/${S}/pickup/tasks/${task._id}/collect`, { code }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    await h.waitEvent(
      'omni.pickup.task.collected.v1',
      (e) => (e.data as { taskId: string }).taskId === task._id,
    );
    await h.svc.events.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(
      h.events.filter(
        (e) =>
          e.type === 'omni.pickup.task.collected.v1' && (e.data as { taskId: string }).taskId === task._id,
      ),
    ).toHaveLength(1);
  });

  it('parallel wrong codes never exceed the lock limit', async () => {
    const task = await readyTask(h, S);
    const { code } = await customerCode(h, task);
    const api = await h.staff(S);
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        api.post(`/v1/stores/${S}/pickup/tasks/${task._id}/collect`, { code: wrongCodeFor(code) }),
      ),
    );
    expect(results.filter((r) => r.status === 422)).toHaveLength(4);
    expect(results.filter((r) => r.status === 423)).toHaveLength(36);
    const after = await h.taskOf(task.orderId);
    expect(after).toMatchObject({ failedAttempts: 5, state: 'ready' });
    expect(after?.lockedAt).toBeDefined();
  });

  it('parallel scans of one line never confirm more than ordered', async () => {
    const task = await placeTask(h, S, {
      lines: [{ sku: 'SKU-M', qty: 7, unitPrice: { amountMinor: 1, currency: 'EUR' } }],
    });
    const api = await h.staff(S);
    await api.post(`/v1/stores/${S}/pickup/tasks/${task._id}/start`);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        api.post(`/v1/stores/${S}/pickup/tasks/${task._id}/lines`, { sku: 'SKU-M', qty: 1 }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(results.filter((r) => r.status === 422)).toHaveLength(23);
    expect((await h.taskOf(task.orderId))?.lines[0]?.confirmedQty).toBe(7);
  });
});
