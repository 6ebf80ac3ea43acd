import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import { levelOf, recordEvents, seedDemo, startInventory, T, type Api, type Harness } from './harness';

/**
 * Warehouse picking through the public API: bins, pick lists in bin order (per order and waves),
 * short picks that write off the missing units and announce the order's reservation at risk (orders
 * re-routes it), packing into parcels (OrderPacked), and store scoping.
 */
const PACKED = 'omni.inventory.order.packed.v1';
let h: Harness;
let picker: Api;
let manager: Api;
let otherClerk: Api;

interface PickListView {
  pickListId: string;
  locationId: string;
  orderIds: string[];
  items: Array<{ orderId: string; reservationId: string; sku: string; qty: number; bin: string | null }>;
  orders: Array<{ orderId: string; reservationId: string; status: string; shortLines?: unknown[] }>;
}

async function reserve(id: string, orderId: string, lines: Array<{ sku: string; qty: number }>) {
  const res = await h.orders.post('/v1/reservations', {
    reservationId: id,
    locationId: 'WH1',
    orderId,
    channel: 'online',
    lines,
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [
    { sku: 'BOOT-42', locationId: 'WH1', onHand: 20 },
    { sku: 'CAP-1', locationId: 'WH1', onHand: 20 },
    { sku: 'SOCK-3', locationId: 'WH1', onHand: 20 },
    { sku: 'HOT-1', locationId: 'WH1', onHand: 30 },
    { sku: 'HOT-1', locationId: 'S1', onHand: 5 },
  ]);
  picker = client(h.svc.url, await h.deps.issuer.staff('WH1'));
  manager = client(h.svc.url, await h.deps.issuer.staff('WH1', 'manager'));
  otherClerk = client(h.svc.url, await h.deps.issuer.staff('S1'));
});
afterAll(async () => h?.stop());

describe('bins and pick lists', () => {
  it('a manager sets bins; a pick list walks them in aisle order (A-2 before A-10, no bin last)', async () => {
    const set = await manager.put('/v1/locations/WH1/bins', {
      bins: [
        { sku: 'BOOT-42', bin: 'A-10' },
        { sku: 'CAP-1', bin: 'A-2' },
      ],
    });
    expect(set.status).toBe(200);
    expect(
      (await picker.put('/v1/locations/WH1/bins', { bins: [{ sku: 'CAP-1', bin: 'B-1' }] })).status,
    ).toBe(403);
    const bins = await picker.get<{ items: Array<{ sku: string; bin: string }> }>('/v1/locations/WH1/bins');
    expect(bins.body.items.map((b) => [b.sku, b.bin]).sort()).toEqual([
      ['BOOT-42', 'A-10'],
      ['CAP-1', 'A-2'],
    ]);

    await reserve('r-o1', 'o1', [
      { sku: 'BOOT-42', qty: 1 },
      { sku: 'SOCK-3', qty: 2 },
    ]);
    await reserve('r-o2', 'o2', [{ sku: 'CAP-1', qty: 1 }]);
    const list = await picker.post<PickListView>('/v1/locations/WH1/pick-lists', { orderIds: ['o1', 'o2'] });
    expect(list.status).toBe(201);
    expect(list.body.items.map((i) => [i.bin, i.sku, i.orderId])).toEqual([
      ['A-2', 'CAP-1', 'o2'],
      ['A-10', 'BOOT-42', 'o1'],
      [null, 'SOCK-3', 'o1'],
    ]);
    expect(list.body.orders.map((o) => o.status)).toEqual(['to_pick', 'to_pick']);

    // An order is on one pick list at most; an order without a reservation here is refused.
    const again = await picker.post('/v1/locations/WH1/pick-lists', { orderIds: ['o1'] });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('https://omni.dev/problems/already-on-pick-list');
    const unknown = await picker.post('/v1/locations/WH1/pick-lists', { orderIds: ['nope'] });
    expect(unknown.status).toBe(422);

    // Another store's clerk neither creates nor sees WH1's lists.
    expect((await otherClerk.post('/v1/locations/WH1/pick-lists', { wave: 5 })).status).toBe(403);
    expect((await otherClerk.get(`/v1/pick-lists/${list.body.pickListId}`)).status).toBe(404);
    expect(
      (await otherClerk.post(`/v1/pick-lists/${list.body.pickListId}/orders/o2/picked`, {})).status,
    ).toBe(404);
    const listed = await picker.get<{ items: Array<{ pickListId: string }> }>('/v1/locations/WH1/pick-lists');
    expect(listed.body.items.map((l) => l.pickListId)).toContain(list.body.pickListId);
  });

  it('picked in full, packed into parcels: OrderPacked names the order, reservation and parcels', async () => {
    const rec = await recordEvents(h.deps.bus, 'test-packed');
    await reserve('r-o3', 'o3', [{ sku: 'CAP-1', qty: 2 }]);
    const list = await picker.post<PickListView>('/v1/locations/WH1/pick-lists', { orderIds: ['o3'] });
    const base = `/v1/pick-lists/${list.body.pickListId}/orders/o3`;
    // Packing before picking is refused.
    expect((await picker.post(`${base}/pack`, { parcels: [{ weightGrams: 800 }] })).status).toBe(409);
    const picked = await picker.post(`${base}/picked`, {});
    expect(picked.status).toBe(200);
    expect(picked.body.status).toBe('picked');
    const packed = await picker.post(`${base}/pack`, {
      parcels: [{ weightGrams: 800 }, { weightGrams: 350 }],
    });
    expect(packed.status).toBe(200);
    expect(packed.body.status).toBe('packed');
    const [event] = await rec.waitFor(PACKED, 1, 'r-o3');
    expect(event!.data).toMatchObject({
      orderId: 'o3',
      reservationId: 'r-o3',
      locationId: 'WH1',
      pickListId: list.body.pickListId,
      parcels: [
        { parcelId: 'r-o3-1', weightGrams: 800 },
        { parcelId: 'r-o3-2', weightGrams: 350 },
      ],
    });
    // Nothing was written off: the stock stays reserved for the commit at hand-over.
    const level = await levelOf(h, 'CAP-1', 'WH1');
    expect(level).toMatchObject({ onHand: 20, reserved: 3 });
    expect((await picker.post(`${base}/picked`, {})).status).toBe(409);
    await rec.close();
  });

  it('a short pick may not report more missing units than reserved, nor SKUs of another order', async () => {
    await reserve('r-o4', 'o4', [{ sku: 'SOCK-3', qty: 1 }]);
    const list = await picker.post<PickListView>('/v1/locations/WH1/pick-lists', { orderIds: ['o4'] });
    const url = `/v1/pick-lists/${list.body.pickListId}/orders/o4/picked`;
    expect((await picker.post(url, { missing: [{ sku: 'SOCK-3', qty: 2 }] })).status).toBe(422);
    expect((await picker.post(url, { missing: [{ sku: 'BOOT-42', qty: 1 }] })).status).toBe(422);
    expect((await picker.post(url, { missing: [{ sku: 'SOCK-3', qty: '1' }] })).status).toBe(400);
    // Nothing changed: the order is still to pick.
    const view = await picker.get<PickListView>(`/v1/pick-lists/${list.body.pickListId}`);
    expect(view.body.orders[0]!.status).toBe('to_pick');
  });

  it('a short order that stays (orders cancels only the short lines) is packed with the rest; a fully short one is not', async () => {
    await reserve('r-o6', 'o6', [
      { sku: 'SOCK-3', qty: 1 },
      { sku: 'BOOT-42', qty: 1 },
    ]);
    await reserve('r-o7', 'o7', [{ sku: 'SOCK-3', qty: 1 }]);
    const list = await picker.post<PickListView>('/v1/locations/WH1/pick-lists', { orderIds: ['o6', 'o7'] });
    const base = `/v1/pick-lists/${list.body.pickListId}/orders`;
    const parcels = { parcels: [{ weightGrams: 500 }] };
    expect(
      (await picker.post(`${base}/o6/picked`, { missing: [{ sku: 'BOOT-42', qty: 1 }] })).body.status,
    ).toBe('short');
    expect(
      (await picker.post(`${base}/o7/picked`, { missing: [{ sku: 'SOCK-3', qty: 1 }] })).body.status,
    ).toBe('short');
    const packed = await picker.post(`${base}/o6/pack`, parcels);
    expect(packed.status).toBe(200);
    expect(packed.body.status).toBe('packed');
    expect((await picker.post(`${base}/o7/pack`, parcels)).status).toBe(409);
  });

  it('a wave takes the oldest unpicked reservations at a warehouse, not at a store', async () => {
    expect((await otherClerk.post('/v1/locations/S1/pick-lists', { wave: 5 })).status).toBe(422);
    await reserve('r-w1', 'w1', [{ sku: 'SOCK-3', qty: 1 }]);
    await reserve('r-w2', 'w2', [{ sku: 'CAP-1', qty: 1 }]);
    // o4 (earlier, still on its list) is not taken again; the oldest free one comes first.
    const first = await picker.post<PickListView>('/v1/locations/WH1/pick-lists', { wave: 1 });
    expect(first.status).toBe(201);
    expect(first.body.orderIds).toEqual(['w1']);
    const second = await picker.post<PickListView>('/v1/locations/WH1/pick-lists', { wave: 10 });
    expect(second.body.orderIds).toEqual(['w2']);
    const none = await picker.post('/v1/locations/WH1/pick-lists', { wave: 10 });
    expect(none.status).toBe(422);
    expect(none.body.type).toBe('https://omni.dev/problems/nothing-to-pick');
  });
});

describe('two pickers short-picking the same SKU at once', () => {
  it('each writes off only its own missing units, announces only its own reservation, and the ledger replays', async () => {
    const rec = await recordEvents(h.deps.bus, 'test-short');
    const N = 12;
    for (let i = 0; i < N; i++) await reserve(`r-hot-${i}`, `hot-${i}`, [{ sku: 'HOT-1', qty: 2 }]);
    const before = await levelOf(h, 'HOT-1', 'WH1');
    expect(before).toMatchObject({ onHand: 30, reserved: 2 * N });
    const lists = await Promise.all(
      [0, 1].map((k) =>
        picker.post<PickListView>('/v1/locations/WH1/pick-lists', {
          orderIds: Array.from({ length: N / 2 }, (_, j) => `hot-${k * (N / 2) + j}`),
        }),
      ),
    );
    expect(lists.map((l) => l.status)).toEqual([201, 201]);
    const listOf = (i: number) => lists[i < N / 2 ? 0 : 1]!.body.pickListId;
    // Two pickers (one per list) report at once: every order is one unit short; each order is also
    // confirmed twice concurrently (a double tap), which must count once.
    const pickerB = client(h.svc.url, await h.deps.issuer.staff('WH1', 'clerk', 'picker-b'));
    const results = await Promise.all(
      Array.from({ length: N * 2 }, (_, k) => {
        const i = k % N;
        const who = i < N / 2 ? picker : pickerB;
        return who.post(`/v1/pick-lists/${listOf(i)}/orders/hot-${i}/picked`, {
          missing: [{ sku: 'HOT-1', qty: 1 }],
        });
      }),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(statuses.filter((s) => s === 409)).toHaveLength(N);

    // Exactly N units written off and N released; the other N stay reserved for their orders.
    const after = await levelOf(h, 'HOT-1', 'WH1');
    expect(after).toMatchObject({ onHand: 30 - N, reserved: N, available: 30 - N - N });
    const atRisk = await rec.waitFor(T.reservationAtRisk, N + 2);
    const shortPicks = atRisk.filter(
      (e) =>
        (e.data.cause as { kind: string }).kind === 'short-pick' &&
        String(e.data.reservationId).startsWith('r-hot-'),
    );
    expect(shortPicks).toHaveLength(N);
    expect(new Set(shortPicks.map((e) => e.data.reservationId)).size).toBe(N);
    for (const e of shortPicks) expect(e.data.shortLines).toEqual([{ sku: 'HOT-1', qty: 1 }]);
    // No other reservation of the SKU was dragged in (the store's stock is untouched).
    expect(await levelOf(h, 'HOT-1', 'S1')).toMatchObject({ onHand: 5, reserved: 0 });
    const movements = await h.ops.get<{ items: Array<{ reason: string; onHandDelta: number }> }>(
      '/v1/movements?locationId=WH1&sku=HOT-1&reason=pick-short&limit=100',
    );
    expect(movements.status).toBe(200);
    expect(movements.body.items).toHaveLength(N);
    expect(movements.body.items.every((m) => m.onHandDelta === -1)).toBe(true);
    const reconcile = await h.ops.post('/v1/ops/reconcile');
    expect(reconcile.body.ok).toBe(true);
    await rec.close();
  });
});
