import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelOf, recordEvents, seedDemo, startInventory, T, type Harness } from './harness';

let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;

beforeAll(async () => {
  h = await startInventory();
  events = await recordEvents(h.deps.bus, 'test-reservations');
  await seedDemo(h, [
    { sku: 'TEE-M', locationId: 'S1', onHand: 5 },
    { sku: 'CAP', locationId: 'S1', onHand: 1 },
    { sku: 'MUG', locationId: 'S1', onHand: 10 },
    { sku: 'MUG', locationId: 'WH1', onHand: 10 },
    { sku: 'SOCK', locationId: 'S1', onHand: 6 },
    { sku: 'BAG', locationId: 'S2', onHand: 4 },
  ]);
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

const movementsOf = async (sku: string, locationId = 'S1') =>
  (
    await h.ops.get<{ items: Array<{ reason: string; onHandDelta: number; reservedDelta: number }> }>(
      `/v1/movements?sku=${sku}&locationId=${locationId}&limit=100`,
    )
  ).body.items;

describe('reserve over HTTP', () => {
  it('reserves all lines at once and holds nothing when one line cannot be served', async () => {
    const refused = await h.orders.post('/v1/reservations', {
      reservationId: 'res-partial',
      locationId: 'S1',
      lines: [
        { sku: 'TEE-M', qty: 2 },
        { sku: 'CAP', qty: 2 },
      ],
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      type: 'https://omni.dev/problems/insufficient-stock',
      sku: 'CAP',
      requested: 2,
      available: 1,
    });
    expect(await levelOf(h, 'TEE-M', 'S1')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect((await movementsOf('TEE-M')).map((m) => m.reason)).toEqual(['receipt']);
    expect((await h.orders.get('/v1/reservations/res-partial')).status).toBe(404);

    const ok = await h.orders.post('/v1/reservations', {
      reservationId: 'res-1',
      locationId: 'S1',
      orderId: 'order-1',
      lines: [
        { sku: 'TEE-M', qty: 2 },
        { sku: 'CAP', qty: 1 },
      ],
      ttlSeconds: 600,
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('location')).toBe('/v1/reservations/res-1');
    expect(ok.body).toMatchObject({
      reservationId: 'res-1',
      orderId: 'order-1',
      status: 'active',
      lines: [
        { sku: 'CAP', qty: 1 },
        { sku: 'TEE-M', qty: 2 },
      ],
      expiresAt: '2025-03-01T10:10:00.000Z',
    });
    expect(await levelOf(h, 'TEE-M', 'S1')).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    expect(await levelOf(h, 'CAP', 'S1')).toMatchObject({ onHand: 1, reserved: 1, available: 0 });
    const created = await events.waitFor(T.reservationCreated, 1, 'res-1');
    expect(created[0]!.data).toMatchObject({ reservationId: 'res-1', orderId: 'order-1', locationId: 'S1' });
    expect(events.ofType(T.reservationCreated, 'res-partial')).toEqual([]);
    const changed = await events.waitFor(T.stockChanged, 2, 'TEE-M');
    expect(changed.at(-1)!.data).toMatchObject({
      sku: 'TEE-M',
      locationId: 'S1',
      reason: 'reservation-reserve',
      onHand: 5,
      reserved: 2,
      available: 3,
    });
  });

  it('is idempotent by reservation id: a retry returns the reservation, other lines are a conflict', async () => {
    const body = { reservationId: 'res-idem', locationId: 'S1', lines: [{ sku: 'MUG', qty: 3 }] };
    const first = await h.orders.post('/v1/reservations', body);
    const again = await Promise.all([1, 2, 3].map(() => h.orders.post('/v1/reservations', body)));
    expect(first.status).toBe(201);
    for (const r of again) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(first.body);
    }
    expect(await levelOf(h, 'MUG', 'S1')).toMatchObject({ reserved: 3 });
    const conflict = await h.orders.post('/v1/reservations', { ...body, lines: [{ sku: 'MUG', qty: 4 }] });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ type: 'https://omni.dev/problems/reservation-id-conflict' });
    const elsewhere = await h.orders.post('/v1/reservations', { ...body, locationId: 'WH1' });
    expect(elsewhere.status).toBe(409);
  });

  it('rejects bad input with problems and writes nothing', async () => {
    const before = await h.svc.store.collection('stock_movements').countDocuments({});
    const cases: Array<[unknown, number, string]> = [
      [{ locationId: 'S1', lines: [{ sku: 'MUG', qty: -1 }] }, 400, 'validation-failed'],
      [{ locationId: 'S1', lines: [{ sku: 'MUG', qty: 0 }] }, 400, 'validation-failed'],
      [{ locationId: 'S1', lines: [{ sku: 'MUG', qty: 1.5 }] }, 400, 'validation-failed'],
      [{ locationId: 'S1', lines: [] }, 400, 'validation-failed'],
      [{ locationId: 'S1', lines: [{ sku: 'bad sku!', qty: 1 }] }, 400, 'validation-failed'],
      [{ locationId: 'S1', lines: [{ sku: 'MUG', qty: 1 }], extra: true }, 400, 'validation-failed'],
      [{ locationId: 'S1', lines: [{ sku: 'MUG', qty: 1 }], ttlSeconds: 10 ** 9 }, 400, 'validation-failed'],
      [
        { locationId: 'S1', lines: [{ sku: 'MUG', qty: 1 }], ttlSeconds: 20 * 24 * 3600 },
        400,
        'validation-failed',
      ],
      [{ locationId: 'NOWHERE', lines: [{ sku: 'MUG', qty: 1 }] }, 404, 'unknown-location'],
      [{ locationId: 'S1', lines: [{ sku: 'NEVER-SEEN', qty: 1 }] }, 404, 'unknown-sku'],
      [{ locationId: 'S2', lines: [{ sku: 'MUG', qty: 1 }] }, 422, 'insufficient-stock'],
    ];
    for (const [body, status, slug] of cases) {
      const res = await h.orders.post('/v1/reservations', body);
      expect({ body, status: res.status, type: res.body.type }).toEqual({
        body,
        status,
        type: `https://omni.dev/problems/${slug}`,
      });
    }
    const negative = await h.orders.post('/v1/reservations', {
      locationId: 'S1',
      lines: [{ sku: 'MUG', qty: -1 }],
    });
    expect(negative.body.errors).toEqual([expect.objectContaining({ field: 'body/lines/0/qty' })]);
    expect(await h.svc.store.collection('stock_movements').countDocuments({})).toBe(before);
  });

  it('needs inventory:reserve', async () => {
    const body = { locationId: 'S1', lines: [{ sku: 'MUG', qty: 1 }] };
    expect((await h.anon.post('/v1/reservations', body)).status).toBe(401);
    expect(
      (await h.anon.withToken(await h.deps.issuer.customer('c1')).post('/v1/reservations', body)).status,
    ).toBe(403);
    expect(
      (await h.anon.withToken(await h.deps.issuer.staff('S1', 'manager')).post('/v1/reservations', body))
        .status,
    ).toBe(403);
    expect(
      (
        await h.anon
          .withToken(await h.deps.issuer.service('catalog', 'catalog:read'))
          .post('/v1/reservations', body)
      ).status,
    ).toBe(403);
  });
});

describe('commit, release, partial release and expiry', () => {
  it('commit turns the reservation into a sale, once', async () => {
    await h.orders.post('/v1/reservations', {
      reservationId: 'res-commit',
      locationId: 'WH1',
      lines: [{ sku: 'MUG', qty: 4 }],
    });
    const committed = await h.orders.post('/v1/reservations/res-commit/commit');
    expect(committed.status).toBe(200);
    expect(committed.body).toMatchObject({ status: 'committed', lines: [{ sku: 'MUG', qty: 4 }] });
    const again = await h.orders.post('/v1/reservations/res-commit/commit');
    expect(again.body).toEqual(committed.body);
    expect(await levelOf(h, 'MUG', 'WH1')).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    expect((await movementsOf('MUG', 'WH1')).map((m) => [m.reason, m.onHandDelta, m.reservedDelta])).toEqual([
      ['reservation-commit', -4, -4],
      ['reservation-reserve', 0, 4],
      ['receipt', 10, 0],
    ]);
    await events.waitFor(T.reservationCommitted, 1, 'res-commit');
    expect((await h.orders.post('/v1/reservations/res-commit/release')).status).toBe(409);
    expect((await h.orders.post('/v1/reservations/nope/commit')).status).toBe(404);
  });

  it('partial releases are idempotent by operation id; the last line releases the reservation', async () => {
    await h.orders.post('/v1/reservations', {
      reservationId: 'res-part',
      locationId: 'S1',
      lines: [{ sku: 'SOCK', qty: 4 }],
    });
    const noOp = await h.orders.post('/v1/reservations/res-part/release', {
      lines: [{ sku: 'SOCK', qty: 1 }],
    });
    expect(noOp.status).toBe(400);
    const first = await h.orders.post('/v1/reservations/res-part/release', {
      lines: [{ sku: 'SOCK', qty: 1 }],
      operationId: 'short-1',
      reason: 'short pick',
    });
    expect(first.body).toMatchObject({ status: 'active', lines: [{ sku: 'SOCK', qty: 3 }] });
    const retry = await h.orders.post('/v1/reservations/res-part/release', {
      lines: [{ sku: 'SOCK', qty: 1 }],
      operationId: 'short-1',
      reason: 'short pick',
    });
    expect(retry.body.lines).toEqual([{ sku: 'SOCK', qty: 3 }]);
    expect(await levelOf(h, 'SOCK', 'S1')).toMatchObject({ reserved: 3, available: 3 });
    const tooMuch = await h.orders.post('/v1/reservations/res-part/release', {
      lines: [{ sku: 'SOCK', qty: 5 }],
      operationId: 'x',
    });
    expect(tooMuch.status).toBe(422);
    const rest = await h.orders.post('/v1/reservations/res-part/release', {
      lines: [{ sku: 'SOCK', qty: 3 }],
      operationId: 'short-2',
    });
    expect(rest.body).toMatchObject({ status: 'released', lines: [] });
    const released = await events.waitFor(T.reservationReleased, 2, 'res-part');
    expect(released.map((e) => e.data.partial)).toEqual([true, false]);
    expect(await levelOf(h, 'SOCK', 'S1')).toMatchObject({ reserved: 0, available: 6 });
    // A full release of a released reservation changes nothing.
    expect((await h.orders.post('/v1/reservations/res-part/release', {})).body).toMatchObject({
      status: 'released',
    });
  });

  it('expires reservations past their TTL and puts the units back on sale', async () => {
    await h.orders.post('/v1/reservations', {
      reservationId: 'res-ttl',
      locationId: 'S2',
      lines: [{ sku: 'BAG', qty: 3 }],
      ttlSeconds: 60,
    });
    expect(await h.svc.inventory.expireDue(h.clock.advance(59_000))).toBe(0);
    expect(await h.svc.inventory.expireDue(h.clock.advance(2_000))).toBe(1);
    expect(await h.svc.inventory.expireDue(h.clock.now())).toBe(0);
    const res = await h.orders.get('/v1/reservations/res-ttl');
    expect(res.body).toMatchObject({ status: 'expired', lines: [] });
    expect(await levelOf(h, 'BAG', 'S2')).toMatchObject({ reserved: 0, available: 4 });
    const expired = await events.waitFor(T.reservationExpired, 1, 'res-ttl');
    expect(expired[0]!.data).toMatchObject({ lines: [{ sku: 'BAG', qty: 3 }] });
    const commit = await h.orders.post('/v1/reservations/res-ttl/commit');
    expect(commit.status).toBe(409);
    expect(commit.body).toMatchObject({ type: 'https://omni.dev/problems/reservation-not-active' });
  });

  it('refuses to commit an active reservation whose TTL passed before the sweep ran', async () => {
    await h.orders.post('/v1/reservations', {
      reservationId: 'res-late',
      locationId: 'S2',
      lines: [{ sku: 'BAG', qty: 1 }],
      ttlSeconds: 30,
    });
    h.clock.advance(31_000);
    const commit = await h.orders.post('/v1/reservations/res-late/commit');
    expect(commit.status).toBe(409);
    expect(commit.body).toMatchObject({ type: 'https://omni.dev/problems/reservation-expired' });
  });
});

describe('ledger reconciliation', () => {
  it('replays to the levels, and only ops may run it over HTTP', async () => {
    const report = await h.ops.post('/v1/ops/reconcile');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ok: true, differences: [] });
    expect((await h.orders.post('/v1/ops/reconcile')).status).toBe(403);
    expect(
      (await h.anon.withToken(await h.deps.issuer.staff('S1', 'manager')).post('/v1/ops/reconcile')).status,
    ).toBe(403);
  });

  it('detects a level that drifted from its ledger', async () => {
    await h.svc.store
      .collection('stock_levels')
      .updateOne({ _id: 'CAP|S1' }, { $inc: { onHand: 1, available: 1 } });
    const report = await h.svc.inventory.reconcile();
    expect(report.ok).toBe(false);
    expect(report.differences).toEqual([
      { sku: 'CAP', locationId: 'S1', field: 'onHand', expected: 1, actual: 2 },
    ]);
    await h.svc.store
      .collection('stock_levels')
      .updateOne({ _id: 'CAP|S1' }, { $inc: { onHand: -1, available: -1 } });
    expect((await h.svc.inventory.reconcile()).ok).toBe(true);
  });
});
