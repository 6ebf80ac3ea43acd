import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelOf, recordEvents, seedDemo, startInventory, T, type Api, type Harness } from './harness';

let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;
let managerS1: Api;
let clerkS1: Api;
let managerS2: Api;
let clerkS2: Api;

beforeAll(async () => {
  h = await startInventory();
  events = await recordEvents(h.deps.bus, 'test-stock');
  await seedDemo(h, [
    { sku: 'COAT', locationId: 'WH1', onHand: 40 },
    { sku: 'COAT', locationId: 'S1', onHand: 4 },
    { sku: 'SCARF', locationId: 'S1', onHand: 10 },
    { sku: 'GLOVE', locationId: 'S2', onHand: 8, reorderPoint: 3 },
    { sku: 'GLOVE', locationId: 'WH1', onHand: 30, reorderPoint: 5 },
    { sku: 'HAT', locationId: 'S1', onHand: 6 },
  ]);
  managerS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'manager'));
  clerkS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'clerk'));
  managerS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'manager'));
  clerkS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'clerk'));
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

describe('transfers', () => {
  it('request → ship (transfer-out) → receive with a discrepancy (transfer-in)', async () => {
    const requested = await managerS1.post('/v1/transfers', {
      transferId: 'tr-1',
      fromLocationId: 'WH1',
      toLocationId: 'S1',
      lines: [{ sku: 'COAT', qty: 10 }],
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ transferId: 'tr-1', status: 'requested' });
    expect(await levelOf(h, 'COAT', 'WH1')).toMatchObject({ onHand: 40 });
    // The destination's manager may request; only the source ships.
    expect((await managerS1.post('/v1/transfers/tr-1/ship')).status).toBe(403);
    expect((await clerkS1.post('/v1/transfers/tr-1/receive', {})).status).toBe(409);
    const shipped = await h.ops.post('/v1/transfers/tr-1/ship');
    expect(shipped.body).toMatchObject({ status: 'shipped' });
    expect(await levelOf(h, 'COAT', 'WH1')).toMatchObject({ onHand: 30, available: 30 });
    expect((await h.ops.post('/v1/transfers/tr-1/ship')).body).toMatchObject({ status: 'shipped' });
    expect(await levelOf(h, 'COAT', 'WH1')).toMatchObject({ onHand: 30 });

    // Neither end is S2's: the transfer does not exist for its clerk.
    expect((await clerkS2.post('/v1/transfers/tr-1/receive', {})).status).toBe(404);
    const received = await clerkS1.post('/v1/transfers/tr-1/receive', {
      lines: [{ sku: 'COAT', receivedQty: 9 }],
    });
    expect(received.body).toMatchObject({
      status: 'received',
      lines: [{ sku: 'COAT', qty: 10, receivedQty: 9 }],
      discrepancies: [{ sku: 'COAT', qty: 1 }],
    });
    expect(await levelOf(h, 'COAT', 'S1')).toMatchObject({ onHand: 13 });
    expect((await clerkS1.post('/v1/transfers/tr-1/receive', {})).body).toMatchObject({ status: 'received' });
    expect(await levelOf(h, 'COAT', 'S1')).toMatchObject({ onHand: 13 });
    const kinds = [T.transferRequested, T.transferShipped, T.transferReceived];
    for (const type of kinds) await events.waitFor(type, 1, 'tr-1');
    expect(events.ofType(T.transferReceived, 'tr-1')[0]!.data.lines).toEqual([
      { sku: 'COAT', qty: 10, receivedQty: 9 },
    ]);
  });

  it('ships only available units, all or nothing, and validates requests', async () => {
    await h.ops.post('/v1/transfers', {
      transferId: 'tr-2',
      fromLocationId: 'S1',
      toLocationId: 'S2',
      lines: [
        { sku: 'SCARF', qty: 3 },
        { sku: 'HAT', qty: 7 },
      ],
    });
    const refused = await managerS1.post('/v1/transfers/tr-2/ship');
    expect(refused.body).toMatchObject({
      status: 422,
      type: 'https://omni.dev/problems/insufficient-stock',
      sku: 'HAT',
    });
    expect(await levelOf(h, 'SCARF', 'S1')).toMatchObject({ onHand: 10 });
    expect((await h.ops.get('/v1/transfers/tr-2')).body).toMatchObject({ status: 'requested' });
    expect(
      (
        await h.ops.post('/v1/transfers', {
          fromLocationId: 'S1',
          toLocationId: 'S1',
          lines: [{ sku: 'HAT', qty: 1 }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await h.ops.post('/v1/transfers', {
          fromLocationId: 'S1',
          toLocationId: 'NOPE',
          lines: [{ sku: 'HAT', qty: 1 }],
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await h.ops.post('/v1/transfers', {
          fromLocationId: 'S1',
          toLocationId: 'S2',
          lines: [{ sku: 'HAT', qty: -1 }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await managerS2.post('/v1/transfers', {
          fromLocationId: 'S1',
          toLocationId: 'S3',
          lines: [{ sku: 'HAT', qty: 1 }],
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await clerkS1.post('/v1/transfers', {
          fromLocationId: 'S1',
          toLocationId: 'S2',
          lines: [{ sku: 'HAT', qty: 1 }],
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.ops.post('/v1/transfers', {
          transferId: 'tr-2',
          fromLocationId: 'S1',
          toLocationId: 'S2',
          lines: [{ sku: 'HAT', qty: 1 }],
        })
      ).status,
    ).toBe(409);
  });
});

describe('counts, goods-in with QC, adjustments, settings', () => {
  it('a cycle count sets on hand through adjustment movements; store staff count only their store', async () => {
    // A SKU catalog never announced (and nobody stocks) cannot be counted into existence.
    const unknown = await managerS1.post('/v1/locations/S1/counts', {
      countId: 'cc-0',
      lines: [
        { sku: 'HAT', countedQty: 5 },
        { sku: 'NEWBIE', countedQty: 2 },
      ],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'https://omni.dev/problems/unknown-sku' });
    expect(await levelOf(h, 'HAT', 'S1')).toMatchObject({ onHand: 6 });
    const count = await managerS1.post('/v1/locations/S1/counts', {
      countId: 'cc-1',
      lines: [
        { sku: 'HAT', countedQty: 5 },
        { sku: 'SCARF', countedQty: 10 },
      ],
    });
    expect(count.status).toBe(201);
    expect(count.body.lines).toEqual([
      { sku: 'HAT', countedQty: 5, previousOnHand: 6, delta: -1 },
      { sku: 'SCARF', countedQty: 10, previousOnHand: 10, delta: 0 },
    ]);
    expect(await levelOf(h, 'HAT', 'S1')).toMatchObject({ onHand: 5 });
    expect(await h.svc.store.collection('stock_levels').countDocuments({ sku: 'NEWBIE' })).toBe(0);
    const again = await managerS1.post('/v1/locations/S1/counts', {
      countId: 'cc-1',
      lines: [
        { sku: 'HAT', countedQty: 5 },
        { sku: 'SCARF', countedQty: 10 },
      ],
    });
    expect(again.body).toEqual(count.body);
    expect(
      (
        await managerS1.post('/v1/locations/S1/counts', {
          countId: 'cc-1',
          lines: [{ sku: 'HAT', countedQty: 1 }],
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await managerS2.post('/v1/locations/S1/counts', {
          countId: 'cc-2',
          lines: [{ sku: 'HAT', countedQty: 1 }],
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await managerS1.post('/v1/locations/S1/counts', {
          countId: 'cc-3',
          lines: [{ sku: 'HAT', countedQty: -1 }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await h.ops.post('/v1/locations/NOPE/counts', {
          countId: 'cc-4',
          lines: [{ sku: 'HAT', countedQty: 1 }],
        })
      ).status,
    ).toBe(404);
  });

  it('goods-in stocks accepted units and records rejected ones as qc-fail without stock', async () => {
    const receipt = await clerkS2.post('/v1/locations/S2/receipts', {
      receiptId: 'asn-77',
      supplierRef: 'ACME',
      lines: [{ sku: 'GLOVE', acceptedQty: 6, rejectedQty: 2, rejectReason: 'torn' }],
    });
    expect(receipt.status).toBe(201);
    expect(receipt.body).toMatchObject({ acceptedTotal: 6, rejectedTotal: 2 });
    expect(await levelOf(h, 'GLOVE', 'S2')).toMatchObject({ onHand: 14 });
    const ledger = await clerkS2.get<{
      items: Array<{ reason: string; onHandDelta: number; qty: number; note?: string }>;
    }>('/v1/movements?locationId=S2&sku=GLOVE&limit=2');
    expect(ledger.body.items.map((m) => [m.reason, m.onHandDelta, m.qty])).toEqual([
      ['qc-fail', 0, 2],
      ['receipt', 6, 6],
    ]);
    expect(
      (
        await clerkS2.post('/v1/locations/S2/receipts', {
          receiptId: 'asn-77',
          supplierRef: 'ACME',
          lines: [{ sku: 'GLOVE', acceptedQty: 6, rejectedQty: 2, rejectReason: 'torn' }],
        })
      ).status,
    ).toBe(201);
    expect(await levelOf(h, 'GLOVE', 'S2')).toMatchObject({ onHand: 14 });
    expect(
      (
        await clerkS1.post('/v1/locations/S2/receipts', {
          receiptId: 'asn-78',
          lines: [{ sku: 'GLOVE', acceptedQty: 1 }],
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await clerkS2.post('/v1/locations/S2/receipts', {
          receiptId: 'asn-79',
          lines: [{ sku: 'GLOVE', acceptedQty: 0, rejectedQty: 0 }],
        })
      ).status,
    ).toBe(400);
    const ghost = await clerkS2.post('/v1/locations/S2/receipts', {
      receiptId: 'asn-81',
      lines: [{ sku: 'GHOST', acceptedQty: 3 }],
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body).toMatchObject({ type: 'https://omni.dev/problems/unknown-sku' });
    expect(await h.svc.store.collection('stock_levels').countDocuments({ sku: 'GHOST' })).toBe(0);
    expect(
      (
        await clerkS2.post('/v1/locations/S2/receipts', {
          receiptId: 'asn-80',
          lines: [{ sku: 'GLOVE', acceptedQty: -3 }],
        })
      ).status,
    ).toBe(400);
  });

  it('managers adjust their store (audited, idempotent); clerks may not; write-offs cannot go below zero', async () => {
    const adj = { adjustmentId: 'adj-1', sku: 'SCARF', delta: -2, reason: 'damage', note: 'water damage' };
    expect((await clerkS1.post('/v1/locations/S1/adjustments', adj)).status).toBe(403);
    const ghost = await managerS1.post('/v1/locations/S1/adjustments', {
      adjustmentId: 'adj-ghost',
      sku: 'GHOST',
      delta: 5,
      reason: 'adjustment',
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body).toMatchObject({ type: 'https://omni.dev/problems/unknown-sku' });
    expect((await managerS2.post('/v1/locations/S1/adjustments', adj)).status).toBe(403);
    const done = await managerS1.post('/v1/locations/S1/adjustments', adj);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ onHand: 8, reason: 'damage' });
    expect((await managerS1.post('/v1/locations/S1/adjustments', adj)).body).toEqual(done.body);
    expect(await levelOf(h, 'SCARF', 'S1')).toMatchObject({ onHand: 8 });
    const audit = await h.svc.audit.query({ action: 'stock.damage' }, { limit: 5 });
    expect(audit.items[0]).toMatchObject({
      actor: { sub: 'staff-S1', role: 'store_staff' },
      target: { id: 'SCARF|S1' },
    });
    const tooMuch = await managerS1.post('/v1/locations/S1/adjustments', {
      ...adj,
      adjustmentId: 'adj-2',
      delta: -9,
    });
    expect(tooMuch.body).toMatchObject({
      status: 422,
      type: 'https://omni.dev/problems/insufficient-on-hand',
    });
    expect(
      (await managerS1.post('/v1/locations/S1/adjustments', { ...adj, adjustmentId: 'adj-3', delta: 0 }))
        .status,
    ).toBe(400);
    expect(
      (await managerS1.post('/v1/locations/S1/adjustments', { ...adj, adjustmentId: 'adj-4', delta: 3 }))
        .status,
    ).toBe(400);
    expect(
      (
        await managerS1.post('/v1/locations/S1/adjustments', {
          ...adj,
          adjustmentId: 'adj-5',
          delta: 3,
          reason: 'adjustment',
        })
      ).body,
    ).toMatchObject({ onHand: 11 });
  });

  it('safety stock lowers what can be promised; crossing the reorder point raises one LowStock with a suggestion', async () => {
    const settings = await managerS1.put('/v1/locations/S1/stock/HAT/settings', {
      safetyStock: 2,
      reorderPoint: 2,
    });
    expect(settings.body).toMatchObject({ onHand: 5, safetyStock: 2, reorderPoint: 2, available: 3 });
    expect((await clerkS1.put('/v1/locations/S1/stock/HAT/settings', { safetyStock: 0 })).status).toBe(403);
    expect((await managerS1.put('/v1/locations/S1/stock/HAT/settings', {})).status).toBe(400);
    expect(
      await h.orders.post('/v1/reservations', {
        reservationId: 'hat-1',
        locationId: 'S1',
        lines: [{ sku: 'HAT', qty: 4 }],
      }),
    ).toMatchObject({ status: 422 });

    // GLOVE at S2: 14 on hand, reorder point 3 → reserve 11 leaves 3.
    const r = await h.orders.post('/v1/reservations', {
      reservationId: 'glove-1',
      locationId: 'S2',
      lines: [{ sku: 'GLOVE', qty: 11 }],
    });
    expect(r.status).toBe(201);
    const [low] = await events.waitFor(T.lowStock, 1, 'GLOVE');
    expect(low!.data).toEqual({
      sku: 'GLOVE',
      locationId: 'S2',
      available: 3,
      reorderPoint: 3,
      suggestedQty: 3,
      suggestedSourceLocationId: 'WH1',
    });
    await h.orders.post('/v1/reservations', {
      reservationId: 'glove-2',
      locationId: 'S2',
      lines: [{ sku: 'GLOVE', qty: 1 }],
    });
    expect(await levelOf(h, 'GLOVE', 'S2')).toMatchObject({ available: 2, lowStock: true });
    // Back above the reorder point re-arms the alert.
    await h.orders.post('/v1/reservations/glove-1/release');
    expect(await levelOf(h, 'GLOVE', 'S2')).toMatchObject({ available: 13, lowStock: false });
    await h.orders.post('/v1/reservations', {
      reservationId: 'glove-3',
      locationId: 'S2',
      lines: [{ sku: 'GLOVE', qty: 12 }],
    });
    const lows = await events.waitFor(T.lowStock, 2, 'GLOVE');
    expect(lows[1]!.data).toMatchObject({ available: 1 });
    expect((await h.svc.inventory.reconcile()).ok).toBe(true);
  });
});

describe('stock reads and the ledger', () => {
  it('scopes store staff reads to their store; ops and services read everything', async () => {
    expect((await clerkS1.get('/v1/locations/S1/stock')).status).toBe(200);
    expect((await clerkS1.get('/v1/locations/S2/stock')).status).toBe(403);
    const mine = await clerkS1.get<{ items: Array<{ locationId: string }> }>('/v1/movements?limit=200');
    expect(mine.status).toBe(200);
    expect(new Set(mine.body.items.map((m) => m.locationId))).toEqual(new Set(['S1']));
    expect((await clerkS1.get('/v1/movements?locationId=S2')).status).toBe(403);
    expect((await h.anon.get('/v1/locations/S1/stock')).status).toBe(401);
    const coat = await h.orders.get<{ items: Array<{ locationId: string; onHand: number }> }>(
      '/v1/stock?sku=COAT',
    );
    expect(coat.body.items.map((l) => [l.locationId, l.onHand])).toEqual([
      ['S1', 13],
      ['WH1', 30],
    ]);
    expect((await h.ops.get('/v1/locations/S1/stock/UNSTOCKED')).body).toMatchObject({
      onHand: 0,
      available: 0,
    });
    expect((await h.ops.get('/v1/locations/NOPE/stock/COAT')).status).toBe(404);
  });

  it('pages through the ledger newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ _id: string }>; nextCursor: string | null } } = await h.ops.get(
        `/v1/movements?locationId=S1&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((m) => m._id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await h.svc.store.collection('stock_movements').find({ locationId: 'S1' });
    expect(seen).toEqual(
      all
        .map((m) => m._id)
        .sort()
        .reverse(),
    );
    expect((await h.ops.get('/v1/movements?cursor=garbage')).status).toBe(400);
    expect((await h.ops.get('/v1/movements?limit=1000')).status).toBe(400);
  });
});
