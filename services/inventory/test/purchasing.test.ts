import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelOf, recordEvents, seedDemo, startInventory, type Api, type Harness } from './harness';

/**
 * Issue 18 part 3: suppliers with lead times, purchase orders, deliveries matched against them at
 * goods-in (over / under / wrong item), rejected units returned with the order as reference,
 * supplier performance — and a PO receipt racing transfers on the same SKU and location.
 */
let h: Harness;
let managerWh: Api;
let managerS2: Api;
let clerkWh: Api;

type Line = {
  sku: string;
  qty: number;
  acceptedQty: number;
  rejectedQty: number;
  returnedQty: number;
  unordered?: boolean;
};
type Order = {
  purchaseOrderId: string;
  status: string;
  lines: Line[];
  expectedAt?: string;
  receipts: unknown[];
};
type Match = {
  purchaseOrderId: string;
  status: string;
  late: boolean;
  lines: Array<{ sku: string; flag: string }>;
  outstanding: Array<{ sku: string; qty: number }>;
};
type Movement = { reason: string; qty: number; onHandDelta: number; ref?: { type: string; id: string } };
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [
    { sku: 'SOCK', locationId: 'WH1', onHand: 10 },
    { sku: 'SHOE', locationId: 'WH1', onHand: 5 },
    { sku: 'BELT', locationId: 'WH1', onHand: 1 },
    { sku: 'HOOD', locationId: 'WH1', onHand: 100 },
  ]);
  managerWh = h.anon.withToken(await h.deps.issuer.staff('WH1', 'manager', 'manager-WH1'));
  clerkWh = h.anon.withToken(await h.deps.issuer.staff('WH1', 'clerk', 'clerk-WH1'));
  managerS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'manager', 'manager-S2'));
  const sup = await h.ops.put('/v1/suppliers/SUP-1', {
    name: 'Textiles GmbH',
    leadTimeDays: 3,
    skus: ['SOCK', 'SHOE', 'HOOD'],
  });
  expect(sup.status).toBe(201);
}, 60_000);
afterAll(async () => h?.stop());

describe('suppliers and purchase orders', () => {
  it('only ops define suppliers; staff read them', async () => {
    expect(
      (await managerWh.put('/v1/suppliers/SUP-2', { name: 'x', leadTimeDays: 1, skus: [] })).status,
    ).toBe(403);
    expect((await clerkWh.get('/v1/suppliers/SUP-1')).body).toMatchObject({
      supplierId: 'SUP-1',
      leadTimeDays: 3,
    });
    expect((await clerkWh.get('/v1/suppliers/nope')).status).toBe(404);
  });

  let po: Order;
  it('a manager places an order; the expected date follows the lead time', async () => {
    expect(
      (
        await clerkWh.post('/v1/purchase-orders', {
          supplierId: 'SUP-1',
          locationId: 'WH1',
          lines: [{ sku: 'SOCK', qty: 1 }],
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await managerS2.post('/v1/purchase-orders', {
          supplierId: 'SUP-1',
          locationId: 'WH1',
          lines: [{ sku: 'SOCK', qty: 1 }],
        })
      ).status,
    ).toBe(403);
    const r = await managerWh.post<Order>('/v1/purchase-orders', {
      purchaseOrderId: 'po-1',
      supplierId: 'SUP-1',
      locationId: 'WH1',
      lines: [
        { sku: 'SOCK', qty: 20 },
        { sku: 'SHOE', qty: 10 },
      ],
      place: true,
    });
    expect(r.status).toBe(201);
    po = r.body;
    expect(po).toMatchObject({
      status: 'placed',
      expectedAt: new Date(h.clock.current.getTime() + 3 * DAY).toISOString(),
    });
    expect((await managerS2.get('/v1/purchase-orders/po-1')).status).toBe(404);
    expect((await managerS2.get<{ items: Order[] }>('/v1/purchase-orders')).body.items).toEqual([]);
  });

  it('goods-in matches a partial delivery: ok, over and wrong item flagged, the rest outstanding', async () => {
    const r = await clerkWh.post<{ match: Match }>('/v1/locations/WH1/receipts', {
      receiptId: 'rc-1',
      purchaseOrderId: 'po-1',
      lines: [
        { sku: 'SOCK', acceptedQty: 8, rejectedQty: 2, rejectReason: 'torn' },
        { sku: 'BELT', acceptedQty: 1 },
      ],
    });
    expect(r.status).toBe(201);
    expect(r.body.match).toMatchObject({
      status: 'partially-received',
      late: false,
      lines: [
        { sku: 'SOCK', flag: 'ok' },
        { sku: 'BELT', flag: 'wrong-item' },
      ],
      outstanding: [
        { sku: 'SHOE', qty: 10 },
        { sku: 'SOCK', qty: 10 },
      ],
    });
    expect((await levelOf(h, 'SOCK', 'WH1')).onHand).toBe(18);
    const events = await recordEvents(h.deps.bus, 'po-events');
    const [placed] = await events.waitFor('omni.inventory.purchase-order.placed.v1', 1, 'po-1');
    expect(placed!.data).toMatchObject({ supplierId: 'SUP-1', locationId: 'WH1', expectedAt: po.expectedAt });
    const [received] = await events.waitFor('omni.inventory.purchase-order.received.v1', 1, 'po-1');
    expect(received!.data).toMatchObject({
      receiptId: 'rc-1',
      status: 'partially-received',
      lines: r.body.match.lines,
      outstanding: r.body.match.outstanding,
    });
    await events.close();
    // A retry is the same receipt, not a second delivery.
    const again = await clerkWh.post<{ match: Match }>('/v1/locations/WH1/receipts', {
      receiptId: 'rc-1',
      purchaseOrderId: 'po-1',
      lines: [
        { sku: 'SOCK', acceptedQty: 8, rejectedQty: 2, rejectReason: 'torn' },
        { sku: 'BELT', acceptedQty: 1 },
      ],
    });
    expect(again.body.match.outstanding).toEqual(r.body.match.outstanding);
    expect((await levelOf(h, 'SOCK', 'WH1')).onHand).toBe(18);
    // Another location cannot receive against it.
    const elsewhere = await h.ops.post('/v1/locations/S2/receipts', {
      receiptId: 'rc-x',
      purchaseOrderId: 'po-1',
      lines: [{ sku: 'SOCK', acceptedQty: 1 }],
    });
    expect(elsewhere.status).toBe(404);
  });

  it('a late delivery completes the order; over-delivery is flagged', async () => {
    h.clock.advance(4 * DAY);
    const r = await clerkWh.post<{ match: Match }>('/v1/locations/WH1/receipts', {
      receiptId: 'rc-2',
      purchaseOrderId: 'po-1',
      lines: [
        { sku: 'SOCK', acceptedQty: 10 },
        { sku: 'SHOE', acceptedQty: 12 },
      ],
    });
    expect(r.body.match).toMatchObject({
      status: 'received',
      late: true,
      lines: [
        { sku: 'SOCK', flag: 'ok' },
        { sku: 'SHOE', flag: 'over' },
      ],
      outstanding: [],
    });
  });

  it('rejected units go back to the supplier as a movement with the order as reference, never more than rejected', async () => {
    const tooMany = await managerWh.post('/v1/purchase-orders/po-1/returns', {
      returnId: 'ret-0',
      lines: [{ sku: 'SOCK', qty: 3, from: 'rejected' }],
    });
    expect(tooMany.status).toBe(409);
    expect(
      (
        await clerkWh.post('/v1/purchase-orders/po-1/returns', {
          returnId: 'ret-c',
          lines: [{ sku: 'SOCK', qty: 1, from: 'rejected' }],
        })
      ).status,
    ).toBe(403);
    const before = await levelOf(h, 'BELT', 'WH1');
    const ok = await managerWh.post('/v1/purchase-orders/po-1/returns', {
      returnId: 'ret-1',
      lines: [
        { sku: 'SOCK', qty: 2, from: 'rejected' },
        { sku: 'BELT', qty: 1, from: 'stock' },
      ],
    });
    expect(ok.status).toBe(201);
    // Quarantined units were never stocked; the wrong item leaves on-hand.
    expect((await levelOf(h, 'SOCK', 'WH1')).onHand).toBe(28);
    expect((await levelOf(h, 'BELT', 'WH1')).onHand).toBe(before.onHand - 1);
    const moves = (
      await h.ops.get<{ items: Movement[] }>('/v1/movements?locationId=WH1&reason=supplier-return')
    ).body.items;
    expect(moves).toHaveLength(2);
    for (const m of moves) expect(m.ref).toEqual({ type: 'purchase-order', id: 'po-1' });
    expect(moves.map((m) => [m.qty, m.onHandDelta]).sort()).toEqual([
      [1, -1],
      [2, 0],
    ]);
    const order = (await managerWh.get<Order>('/v1/purchase-orders/po-1')).body;
    expect(order.lines.find((l) => l.sku === 'SOCK')).toMatchObject({
      acceptedQty: 18,
      rejectedQty: 2,
      returnedQty: 2,
    });
    expect(order.lines.find((l) => l.sku === 'BELT')).toMatchObject({ qty: 0, unordered: true });
    expect((await h.ops.post<{ ok: boolean }>('/v1/ops/reconcile')).body.ok).toBe(true);
  });

  it('supplier performance: fill rate and lateness from its orders', async () => {
    // A second order, cancelled: excluded. A third, placed and overdue.
    await managerWh.post('/v1/purchase-orders', {
      purchaseOrderId: 'po-2',
      supplierId: 'SUP-1',
      locationId: 'WH1',
      lines: [{ sku: 'SOCK', qty: 5 }],
    });
    expect((await managerWh.post<Order>('/v1/purchase-orders/po-2/cancel', {})).body.status).toBe(
      'cancelled',
    );
    await managerWh.post('/v1/purchase-orders', {
      purchaseOrderId: 'po-3',
      supplierId: 'SUP-1',
      locationId: 'WH1',
      lines: [{ sku: 'SHOE', qty: 10 }],
      place: true,
    });
    h.clock.advance(4 * DAY);
    const perf = (await clerkWh.get('/v1/suppliers/SUP-1/performance')).body;
    expect(perf).toMatchObject({
      purchaseOrders: 2,
      orderedUnits: 40,
      // SOCK 18 of 20, SHOE 10 of 10 (the 2 extra are not fill), po-3 nothing yet.
      acceptedUnits: 28,
      rejectedUnits: 2,
      fillRate: 28 / 40,
      completed: 1,
      onTime: 0,
      lateDeliveries: 1,
      averageDaysLate: 1,
      overdue: 1,
    });
  });
});

describe('a PO receipt racing transfers on the same SKU and location', () => {
  it('levels are exact and the ledger replays clean', async () => {
    await managerWh.post('/v1/purchase-orders', {
      purchaseOrderId: 'po-race',
      supplierId: 'SUP-1',
      locationId: 'WH1',
      lines: [{ sku: 'HOOD', qty: 200 }],
      place: true,
    });
    const transfers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        managerWh.post<{ transferId: string }>('/v1/transfers', {
          transferId: `tr-race-${i}`,
          fromLocationId: 'WH1',
          toLocationId: 'S1',
          lines: [{ sku: 'HOOD', qty: 6 }],
        }),
      ),
    );
    expect(transfers.every((t) => t.status === 201)).toBe(true);
    // 20 shipments of 6 (120) against 100 on hand, racing 20 receipts of 5 accepted + 1 rejected.
    const [ships, receipts] = await Promise.all([
      Promise.all(transfers.map((_, i) => managerWh.post(`/v1/transfers/tr-race-${i}/ship`))),
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          clerkWh.post<{ match: Match }>('/v1/locations/WH1/receipts', {
            receiptId: `rc-race-${i}`,
            purchaseOrderId: 'po-race',
            lines: [{ sku: 'HOOD', acceptedQty: 5, rejectedQty: 1 }],
          }),
        ),
      ),
    ]);
    expect(receipts.every((r) => r.status === 201)).toBe(true);
    const shipped = ships.filter((s) => s.status === 200).length;
    expect(ships.every((s) => s.status === 200 || s.status === 422)).toBe(true);
    const level = await levelOf(h, 'HOOD', 'WH1');
    expect(level.onHand).toBe(100 + 20 * 5 - shipped * 6);
    expect(level.onHand).toBeGreaterThanOrEqual(0);
    const order = (await managerWh.get<Order>('/v1/purchase-orders/po-race')).body;
    expect(order.lines[0]).toMatchObject({ acceptedQty: 100, rejectedQty: 20 });
    expect(order.receipts).toHaveLength(20);
    expect(order.status).toBe('partially-received');
    const rec = (await h.ops.post<{ ok: boolean; differences: unknown[] }>('/v1/ops/reconcile')).body;
    expect(rec.differences).toEqual([]);
    expect(rec.ok).toBe(true);
  });
});
