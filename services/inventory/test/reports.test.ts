import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, startInventory, type Api, type Harness } from './harness';

/**
 * Issue 18 part 5 (stock side): daily and monthly figures of a store, folded from the movement
 * ledger, as JSON and CSV; store-scoped like every stock read.
 */
let h: Harness;
let managerS1: Api;
let managerS2: Api;
type Row = Record<string, number | string | null>;
const DAY = 86_400_000;

async function sell(id: string, channel: 'online' | 'store', qty: number) {
  expect(
    (
      await h.orders.post('/v1/reservations', {
        reservationId: id,
        locationId: 'S1',
        channel,
        lines: [{ sku: 'JEAN', qty }],
      })
    ).status,
  ).toBe(201);
  expect((await h.orders.post(`/v1/reservations/${id}/commit`)).status).toBe(200);
}

beforeAll(async () => {
  h = await startInventory();
  // Seeded on 2025-03-01 (the harness clock).
  await seedDemo(h, [
    { sku: 'JEAN', locationId: 'S1', onHand: 40 },
    { sku: 'JEAN', locationId: 'WH1', onHand: 100 },
  ]);
  managerS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'manager', 'manager-S1'));
  managerS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'manager', 'manager-S2'));
  h.clock.advance(DAY); // 2025-03-02: the day of business below
  await sell('r-online-1', 'online', 3);
  await sell('r-store-1', 'store', 2);
  const pos = h.anon.withToken(
    await h.deps.issuer.sign({ role: 'service', sub: 'pos-S1', scope: 'pos:sync', stores: { S1: 'clerk' } }),
  );
  const sync = await pos.post('/v1/stores/S1/sync', {
    ops: [
      { clientOpId: 'till-1', seq: 1, type: 'sale', lines: [{ sku: 'JEAN', qty: 4 }] },
      { clientOpId: 'till-2', seq: 2, type: 'return', lines: [{ sku: 'JEAN', qty: 1 }] },
    ],
  });
  expect(sync.status).toBe(200);
  await managerS1.post('/v1/locations/S1/adjustments', {
    adjustmentId: 'dmg-1',
    sku: 'JEAN',
    delta: -2,
    reason: 'damage',
  });
  await h.ops.post('/v1/transfers', {
    transferId: 't-1',
    fromLocationId: 'WH1',
    toLocationId: 'S1',
    lines: [{ sku: 'JEAN', qty: 10 }],
  });
  await h.ops.post('/v1/transfers/t-1/ship');
  h.clock.advance(DAY); // 2025-03-03
  await h.ops.post('/v1/transfers/t-1/receive', {});
}, 60_000);
afterAll(async () => h?.stop());

describe('stock reports', () => {
  it('daily figures from the ledger: sales by channel, returns, write-offs, transfers, turns', async () => {
    const r = await managerS1.get<{ items: Row[] }>(
      '/v1/locations/S1/reports/daily?from=2025-03-01&to=2025-03-03',
    );
    expect(r.status).toBe(200);
    expect(r.body.items.map((x) => x.period)).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    const [seedDay, day, next] = r.body.items;
    expect(seedDay).toMatchObject({ receivedUnits: 40, onHandStart: 0, onHandEnd: 40 });
    expect(day).toMatchObject({
      salesOnlineUnits: 3,
      // 2 over the counter as a store order, 4 at the till
      salesOfflineUnits: 6,
      returnsUnits: 1,
      writeOffUnits: 2,
      onHandStart: 40,
      onHandEnd: 40 - 3 - 2 - 4 + 1 - 2,
      transferInUnits: 0,
    });
    expect(day!.stockTurns).toBe(Math.round((9 / ((40 + 30) / 2)) * 1000) / 1000);
    expect(next).toMatchObject({ transferInUnits: 10, onHandStart: 30, onHandEnd: 40 });
    const wh = (
      await h.ops.get<{ items: Row[] }>('/v1/locations/WH1/reports/daily?from=2025-03-02&to=2025-03-02')
    ).body.items[0];
    expect(wh).toMatchObject({ transferOutUnits: 10, onHandStart: 100, onHandEnd: 90 });
  });

  it('monthly figures and CSV add up to the same ledger', async () => {
    const month = (
      await managerS1.get<{ items: Row[] }>('/v1/locations/S1/reports/monthly?from=2025-03&to=2025-03')
    ).body.items;
    expect(month).toHaveLength(1);
    expect(month[0]).toMatchObject({
      salesOnlineUnits: 3,
      salesOfflineUnits: 6,
      receivedUnits: 40,
      transferInUnits: 10,
      onHandEnd: 40,
    });
    const res = await fetch(
      `${h.svc.url}/v1/locations/S1/reports/monthly?from=2025-02&to=2025-03&format=csv`,
      {
        headers: { authorization: `Bearer ${await h.deps.issuer.staff('S1', 'manager', 'manager-S1')}` },
      },
    );
    expect(res.headers.get('content-type')).toContain('text/csv');
    const [header, feb, mar] = (await res.text())
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const col = (name: string) => header!.indexOf(name);
    expect(feb![col('period')]).toBe('2025-02');
    expect(feb![col('stockTurns')]).toBe('');
    expect(mar![col('salesOfflineUnits')]).toBe('6');
    expect(mar![col('onHandEnd')]).toBe('40');
  });

  it('is store-scoped and bounded', async () => {
    expect((await managerS2.get('/v1/locations/S1/reports/daily')).status).toBe(403);
    expect((await h.ops.get('/v1/locations/nowhere/reports/daily')).status).toBe(404);
    expect((await h.ops.get('/v1/locations/S1/reports/daily?from=2025-03-05&to=2025-03-01')).status).toBe(
      400,
    );
    expect((await h.ops.get('/v1/locations/S1/reports/daily?from=2024-01-01&to=2025-03-01')).status).toBe(
      400,
    );
    expect((await h.ops.get('/v1/locations/S1/reports/monthly?from=2025-13')).status).toBe(400);
  });
});
