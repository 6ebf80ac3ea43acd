import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosBatchResult, PosOpInput } from '../src';
import { levelOf, recordEvents, seedDemo, startInventory, T, type Api, type Harness } from './harness';

let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;
let clerkS1: Api;
let clerkS2: Api;
let managerS1: Api;

beforeAll(async () => {
  h = await startInventory();
  events = await recordEvents(h.deps.bus, 'test-pos');
  await seedDemo(h, [
    { sku: 'SODA', locationId: 'S1', onHand: 50 },
    { sku: 'CHIPS', locationId: 'S1', onHand: 20 },
    { sku: 'GUM', locationId: 'S2', onHand: 30 },
    { sku: 'LAMP', locationId: 'S3', onHand: 5 },
    { sku: 'RARE', locationId: 'WH1', onHand: 1 },
  ]);
  clerkS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'clerk'));
  clerkS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'clerk'));
  managerS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'manager', 'manager-S1'));
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

const sync = (api: Api, storeId: string, ops: PosOpInput[], force = false) =>
  api.post<PosBatchResult & { type?: string }>(`/v1/stores/${storeId}/sync`, {
    ops,
    ...(force ? { force } : {}),
  });

const movementCount = async (filter: Record<string, unknown>) =>
  h.svc.store.collection('stock_movements').countDocuments(filter);

describe('POS sync', () => {
  it('applies sales, returns, receipts and counts in sequence, and a replay changes nothing', async () => {
    const batch: PosOpInput[] = [
      {
        clientOpId: 'till1-001',
        seq: 1,
        type: 'sale',
        lines: [
          { sku: 'SODA', qty: 3 },
          { sku: 'CHIPS', qty: 1 },
        ],
      },
      { clientOpId: 'till1-002', seq: 2, type: 'return', lines: [{ sku: 'SODA', qty: 1 }] },
      { clientOpId: 'till1-003', seq: 3, type: 'receipt', lines: [{ sku: 'CHIPS', qty: 10 }] },
      { clientOpId: 'till1-004', seq: 4, type: 'count', lines: [{ sku: 'SODA', qty: 45 }] },
    ];
    // The batch holds a count: a manager's till (counts need inventory:adjust).
    const first = await sync(managerS1, 'S1', batch);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ storeId: 'S1', cursor: 4, gaps: [], held: [] });
    expect(first.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    // 50 − 3 + 1 = 48, counted 45 → adjustment −3
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 45 });
    expect(await levelOf(h, 'CHIPS', 'S1')).toMatchObject({ onHand: 29 });
    const reasons = (
      await h.ops.get<{ items: Array<{ reason: string; onHandDelta: number; note?: string }> }>(
        '/v1/movements?locationId=S1&sku=SODA',
      )
    ).body.items;
    expect(reasons.map((m) => [m.reason, m.onHandDelta])).toEqual([
      ['adjustment', -3],
      ['return', 1],
      ['pos-sale', -3],
      ['receipt', 50],
    ]);
    expect(reasons[0]!.note).toBe('cycle-count');

    const movementsBefore = await movementCount({ locationId: 'S1' });
    const replay = await sync(clerkS1, 'S1', batch);
    expect(replay.body.results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(replay.body.cursor).toBe(4);
    expect(await movementCount({ locationId: 'S1' })).toBe(movementsBefore);
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 45 });
  });

  it('applies the same batch sent three times concurrently plus out of order exactly once', async () => {
    const ops: PosOpInput[] = Array.from({ length: 20 }, (_, i) => ({
      clientOpId: `till2-${i + 1}`,
      seq: 10 + i,
      type: 'sale' as const,
      lines: [{ sku: 'GUM', qty: 1 }],
    }));
    // S2's cursor starts at 0, so first fill 1..9.
    const prefix = Array.from({ length: 9 }, (_, i) => ({
      clientOpId: `till2-pre-${i + 1}`,
      seq: i + 1,
      type: 'receipt' as const,
      lines: [{ sku: 'GUM', qty: 1 }],
    }));
    expect((await sync(clerkS2, 'S2', prefix)).body.cursor).toBe(9);
    const reversed = [...ops].reverse();
    const halves = [ops.slice(10), ops.slice(0, 10)];
    const responses = await Promise.all([
      sync(clerkS2, 'S2', ops),
      sync(clerkS2, 'S2', ops),
      sync(clerkS2, 'S2', ops),
      sync(clerkS2, 'S2', reversed),
      sync(clerkS2, 'S2', halves[0]!),
      sync(clerkS2, 'S2', halves[1]!),
    ]);
    for (const r of responses) expect(r.status).toBe(200);
    const applied = responses.flatMap((r) => [
      ...r.body.results.filter((x) => x.status === 'applied').map((x) => x.clientOpId),
      ...r.body.appliedFromHold.map((x) => x.clientOpId),
    ]);
    expect(applied.sort()).toEqual(ops.map((o) => o.clientOpId).sort());
    expect(await levelOf(h, 'GUM', 'S2')).toMatchObject({ onHand: 30 + 9 - 20 });
    expect(await movementCount({ locationId: 'S2', reason: 'pos-sale' })).toBe(20);
    const state = await clerkS2.get('/v1/stores/S2/sync');
    expect(state.body).toMatchObject({ cursor: 29, held: [], skipped: [] });
  });

  it('holds ops after a gap until it is filled, and reports the gap', async () => {
    const at = (seq: number, id = `till3-${seq}`): PosOpInput => ({
      clientOpId: id,
      seq,
      type: 'sale',
      lines: [{ sku: 'LAMP', qty: 1 }],
    });
    const staffS3 = h.anon.withToken(await h.deps.issuer.staff('S3', 'clerk'));
    const first = await sync(staffS3, 'S3', [at(1), at(2), at(4), at(5)]);
    expect(first.body).toMatchObject({ cursor: 2, gaps: [{ from: 3, to: 3 }], held: [4, 5] });
    expect(first.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'held', 'held']);
    expect(await levelOf(h, 'LAMP', 'S3')).toMatchObject({ onHand: 3 });
    expect((await staffS3.get('/v1/stores/S3/sync')).body).toMatchObject({
      cursor: 2,
      held: [{ seq: 4 }, { seq: 5 }],
    });
    // Re-sending a held op keeps it held; a different op claiming a held number is refused.
    const again = await sync(staffS3, 'S3', [at(4), at(5, 'other-5')]);
    expect(again.body.results).toEqual([
      { clientOpId: 'till3-4', seq: 4, status: 'held' },
      { clientOpId: 'other-5', seq: 5, status: 'rejected', reason: 'seq-conflict' },
    ]);
    const filled = await sync(staffS3, 'S3', [at(3)]);
    expect(filled.body).toMatchObject({ cursor: 5, gaps: [], held: [] });
    expect(filled.body.appliedFromHold).toEqual([
      { clientOpId: 'till3-4', seq: 4 },
      { clientOpId: 'till3-5', seq: 5 },
    ]);
    expect(await levelOf(h, 'LAMP', 'S3')).toMatchObject({ onHand: 0 });
  });

  it('forces past a gap when asked; a late op for a skipped number is still applied, a stranger is refused', async () => {
    const staffS3 = h.anon.withToken(await h.deps.issuer.staff('S3', 'clerk'));
    const at = (seq: number, id = `till4-${seq}`): PosOpInput => ({
      clientOpId: id,
      seq,
      type: 'return',
      lines: [{ sku: 'LAMP', qty: 1 }],
    });
    const forced = await sync(staffS3, 'S3', [at(8)], true);
    expect(forced.body).toMatchObject({ cursor: 8, skipped: [{ from: 6, to: 7 }], gaps: [] });
    const late = await sync(staffS3, 'S3', [at(6), at(7, 'stranger-7'), at(7)]);
    expect(late.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected']);
    expect(late.body.results[2]).toMatchObject({ reason: 'seq-already-used' });
    expect(late.body.skipped).toEqual([]);
    expect(await levelOf(h, 'LAMP', 'S3')).toMatchObject({ onHand: 3 });
  });

  it('refuses a client op id reused for another op, and records sales of unknown SKUs as rejected', async () => {
    const res = await sync(clerkS1, 'S1', [
      { clientOpId: 'till1-001', seq: 5, type: 'sale', lines: [{ sku: 'SODA', qty: 9 }] },
      { clientOpId: 'till1-005', seq: 5, type: 'sale', lines: [{ sku: 'NOT-A-SKU', qty: 1 }] },
      { clientOpId: 'till1-006', seq: 6, type: 'sale', lines: [{ sku: 'SODA', qty: 1 }] },
    ]);
    expect(res.body.results).toEqual([
      { clientOpId: 'till1-001', seq: 5, status: 'rejected', reason: 'client-op-id-reused' },
      { clientOpId: 'till1-005', seq: 5, status: 'rejected', reason: 'unknown-sku' },
      { clientOpId: 'till1-006', seq: 6, status: 'applied' },
    ]);
    expect(res.body.cursor).toBe(6);
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 44 });
  });

  it('announces the reservations an offline sale leaves without stock, newest first, and flags the level', async () => {
    await h.svc.inventory.receiveInbound({
      receiptId: 'kettles',
      locationId: 'S1',
      lines: [{ sku: 'KETTLE', acceptedQty: 5, rejectedQty: 0 }],
      actor: { sub: 'test', role: 'ops' },
      anySku: true,
    });
    for (const [id, qty] of [
      ['k-old', 2],
      ['k-mid', 2],
      ['k-new', 1],
    ] as const) {
      const r = await h.orders.post('/v1/reservations', {
        reservationId: id,
        orderId: `order-${id}`,
        locationId: 'S1',
        lines: [{ sku: 'KETTLE', qty }],
      });
      expect(r.status).toBe(201);
    }
    const sale = await sync(clerkS1, 'S1', [
      { clientOpId: 'till1-007', seq: 7, type: 'sale', lines: [{ sku: 'KETTLE', qty: 3 }] },
    ]);
    expect(sale.body.results[0]!.status).toBe('applied');
    expect(await levelOf(h, 'KETTLE', 'S1')).toMatchObject({
      onHand: 2,
      reserved: 5,
      available: -3,
      sellable: 0,
      flags: ['reserved-exceeds-on-hand'],
    });
    const atRisk = await events.waitFor(T.reservationAtRisk, 2);
    expect(atRisk.map((e) => [e.subject, e.data.shortLines])).toEqual([
      ['k-new', [{ sku: 'KETTLE', qty: 1 }]],
      ['k-mid', [{ sku: 'KETTLE', qty: 2 }]],
    ]);
    expect(atRisk[0]!.data).toMatchObject({
      orderId: 'order-k-new',
      locationId: 'S1',
      cause: { kind: 'pos-sale', opId: 'till1-007' },
    });
    expect((await h.orders.get('/v1/reservations/k-mid')).body).toMatchObject({
      atRisk: { shortLines: [{ sku: 'KETTLE', qty: 2 }] },
    });
    expect((await h.orders.get('/v1/reservations/k-old')).body.atRisk).toBeUndefined();

    // More sold than was there: on hand goes negative — flagged and listed, never hidden.
    await sync(clerkS1, 'S1', [
      { clientOpId: 'till1-008', seq: 8, type: 'sale', lines: [{ sku: 'KETTLE', qty: 3 }] },
    ]);
    expect(await levelOf(h, 'KETTLE', 'S1')).toMatchObject({
      onHand: -1,
      flags: ['negative-on-hand', 'reserved-exceeds-on-hand'],
    });
    const third = await events.waitFor(T.reservationAtRisk, 3);
    expect(third[2]).toMatchObject({ subject: 'k-old', data: { shortLines: [{ sku: 'KETTLE', qty: 2 }] } });
    const exceptions = await h.ops.get<{ items: Array<{ sku: string; locationId: string }> }>(
      '/v1/ops/stock-exceptions',
    );
    expect(exceptions.body.items).toEqual([
      expect.objectContaining({ sku: 'KETTLE', locationId: 'S1', onHand: -1 }),
    ]);
    expect((await h.svc.inventory.reconcile()).ok).toBe(true);
  });

  it('lets only staff (or POS clients) of that store sync it; validates input', async () => {
    const op = { clientOpId: 'x-1', seq: 100, type: 'sale' as const, lines: [{ sku: 'SODA', qty: 1 }] };
    expect((await sync(clerkS2, 'S1', [op])).status).toBe(403);
    expect((await sync(h.anon, 'S1', [op])).status).toBe(401);
    expect((await sync(h.anon.withToken(await h.deps.issuer.customer('c1')), 'S1', [op])).status).toBe(403);
    const posClient = h.anon.withToken(
      await h.deps.issuer.sign({
        role: 'service',
        sub: 'pos-s1',
        scope: 'pos:sync',
        stores: { S1: 'clerk' },
      }),
    );
    expect((await sync(posClient, 'S2', [op])).status).toBe(403);
    expect((await sync(h.ops, 'WH1', [op])).body).toMatchObject({
      status: 422,
      type: 'https://omni.dev/problems/not-a-store',
    });
    expect((await sync(h.ops, 'NOPE', [op])).status).toBe(404);
    for (const bad of [
      [{ ...op, lines: [{ sku: 'SODA', qty: -1 }] }],
      [{ ...op, seq: 0 }],
      [{ ...op, type: 'steal' }],
      [],
      Array.from({ length: 1001 }, (_, i) => ({ ...op, clientOpId: `b-${i}`, seq: i + 1 })),
    ]) {
      const res = await posClient.post('/v1/stores/S1/sync', { ops: bad });
      expect(res.status).toBe(400);
    }
    const ok = await sync(posClient, 'S1', [{ ...op, seq: 9 }]);
    expect(ok.body.results[0]).toMatchObject({ status: 'applied' });
    expect(ok.body.cursor).toBe(9);
  });
});
