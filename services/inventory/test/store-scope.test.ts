import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelOf, seedDemo, startInventory, type Api, type Harness } from './harness';

/**
 * Issue 13 items 2 and 3: a clerk or POS client of S1 reads and acts on S1 data only (lists filter,
 * single reads of another store's object are 404), counts need a manager, and counts, transfers and
 * forced POS batches are on the audit log.
 */
let h: Harness;
let clerkS1: Api;
let managerS1: Api;
let posS1: Api;
let managerS2: Api;

type Items<T> = { items: T[]; nextCursor: string | null };
type AuditItem = {
  action: string;
  actor: { sub: string };
  target: { id: string };
  details?: Record<string, unknown>;
};

beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [
    { sku: 'COAT', locationId: 'WH1', onHand: 40 },
    { sku: 'COAT', locationId: 'S1', onHand: 4 },
    { sku: 'COAT', locationId: 'S2', onHand: 7 },
    { sku: 'COAT', locationId: 'S3', onHand: 2 },
    { sku: 'HAT', locationId: 'S2', onHand: 5 },
  ]);
  clerkS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'clerk', 'clerk-S1'));
  managerS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'manager', 'manager-S1'));
  managerS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'manager', 'manager-S2'));
  // A store's POS client: a service client bound to S1.
  posS1 = h.anon.withToken(
    await h.deps.issuer.sign({
      role: 'service',
      sub: 'svc-pos-S1',
      scope: 'pos:sync inventory:read inventory:reserve',
      stores: { S1: 'clerk' },
    }),
  );
  await h.ops.post('/v1/transfers', {
    transferId: 'tr-s2-s3',
    fromLocationId: 'S2',
    toLocationId: 'S3',
    lines: [{ sku: 'COAT', qty: 1 }],
  });
  await h.ops.post('/v1/transfers', {
    transferId: 'tr-wh-s1',
    fromLocationId: 'WH1',
    toLocationId: 'S1',
    lines: [{ sku: 'COAT', qty: 1 }],
  });
  await h.orders.post('/v1/reservations', {
    reservationId: 'o-s2-r0',
    locationId: 'S2',
    orderId: 'o-s2',
    lines: [{ sku: 'HAT', qty: 1 }],
  });
  await h.orders.post('/v1/reservations', {
    reservationId: 'o-s1-r0',
    locationId: 'S1',
    orderId: 'o-s1',
    lines: [{ sku: 'COAT', qty: 1 }],
  });
});
afterAll(async () => {
  await h?.stop();
});

describe('cross-store reads', () => {
  it("GET /v1/stock?sku= lists only the caller's stores (ops see every location)", async () => {
    for (const api of [clerkS1, posS1]) {
      const res = await api.get<Items<{ locationId: string }>>('/v1/stock?sku=COAT');
      expect(res.status).toBe(200);
      expect(res.body.items.map((l) => l.locationId)).toEqual(['S1']);
    }
    const all = await h.ops.get<Items<{ locationId: string }>>('/v1/stock?sku=COAT');
    expect(all.body.items.map((l) => l.locationId).sort()).toEqual(['S1', 'S2', 'S3', 'WH1']);
    expect((await clerkS1.get<Items<unknown>>('/v1/stock?sku=HAT')).body.items).toEqual([]);
  });

  it("GET /v1/movements lists only the caller's stores; naming another store is refused", async () => {
    for (const api of [clerkS1, posS1]) {
      const res = await api.get<Items<{ locationId: string }>>('/v1/movements?limit=200');
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(new Set(res.body.items.map((m) => m.locationId))).toEqual(new Set(['S1']));
    }
    expect((await posS1.get('/v1/movements?locationId=S2')).status).toBe(403);
    expect((await clerkS1.get('/v1/movements?locationId=S2')).status).toBe(403);
    const ops = await h.ops.get<Items<{ locationId: string }>>('/v1/movements?limit=200');
    expect(new Set(ops.body.items.map((m) => m.locationId)).size).toBeGreaterThan(1);
  });

  it('GET /v1/transfers/{id} is visible at either end only; another pair of stores answers 404', async () => {
    const other = await clerkS1.get('/v1/transfers/tr-s2-s3');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect((await posS1.get('/v1/transfers/tr-s2-s3')).status).toBe(404);
    // Same answer as a transfer that does not exist.
    expect((await clerkS1.get('/v1/transfers/nope')).body).toMatchObject({ status: 404 });
    expect((await clerkS1.get('/v1/transfers/tr-wh-s1')).status).toBe(200);
    expect((await managerS2.get('/v1/transfers/tr-s2-s3')).status).toBe(200);
    // Acting on it from neither end: 404 as well, and nothing shipped.
    expect((await managerS1.post('/v1/transfers/tr-s2-s3/ship')).status).toBe(404);
    expect((await h.ops.get('/v1/transfers/tr-s2-s3')).body).toMatchObject({ status: 'requested' });
  });

  it("GET /v1/reservations/{id} shows only reservations at the caller's stores", async () => {
    const other = await clerkS1.get('/v1/reservations/o-s2-r0');
    expect(other.status).toBe(404);
    expect((await posS1.get('/v1/reservations/o-s2-r0')).status).toBe(404);
    expect((await clerkS1.get('/v1/reservations/o-s1-r0')).body).toMatchObject({ locationId: 'S1' });
    expect((await h.orders.get('/v1/reservations/o-s2-r0')).status).toBe(200);
    // A store-bound client with inventory:reserve can neither commit, release nor reserve at S2.
    expect((await posS1.post('/v1/reservations/o-s2-r0/commit')).status).toBe(404);
    expect((await posS1.post('/v1/reservations/o-s2-r0/release')).status).toBe(404);
    expect(
      (
        await posS1.post('/v1/reservations', {
          reservationId: 'pos-s2',
          locationId: 'S2',
          lines: [{ sku: 'HAT', qty: 1 }],
        })
      ).status,
    ).toBe(403);
    expect((await h.orders.get('/v1/reservations/o-s2-r0')).body).toMatchObject({ status: 'active' });
    expect(await levelOf(h, 'HAT', 'S2')).toMatchObject({ onHand: 5, reserved: 1 });
  });
});

describe('counts need a manager; counts, transfers and forced POS batches are audited', () => {
  const audit = async (action: string) =>
    (await h.ops.get<Items<AuditItem>>(`/v1/audit?action=${action}&limit=200`)).body.items;

  it('a clerk count is 403 and writes nothing; a manager count is applied and audited', async () => {
    const body = { countId: 'cc-clerk', lines: [{ sku: 'COAT', countedQty: 500 }] };
    const refused = await clerkS1.post('/v1/locations/S1/counts', body);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await levelOf(h, 'COAT', 'S1')).toMatchObject({ onHand: 4 });
    expect(await h.svc.store.collection('stock_operations').countDocuments({ kind: 'count' })).toBe(0);
    expect(await audit('stock.count')).toEqual([]);

    const counted = await managerS1.post('/v1/locations/S1/counts', {
      countId: 'cc-mgr',
      lines: [{ sku: 'COAT', countedQty: 3 }],
    });
    expect(counted.status).toBe(201);
    expect(await levelOf(h, 'COAT', 'S1')).toMatchObject({ onHand: 3 });
    const entries = await audit('stock.count');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { sub: 'manager-S1' },
      target: { id: 'S1' },
      details: { countId: 'cc-mgr', lines: [{ sku: 'COAT', countedQty: 3, previousOnHand: 4, delta: -1 }] },
    });
  });

  it('a count op in a POS batch needs a manager too: refused per op (seq kept), audited when applied', async () => {
    const clerkBatch = await clerkS1.post<{ cursor: number; gaps: unknown[]; results: unknown[] }>(
      '/v1/stores/S1/sync',
      {
        ops: [
          { clientOpId: 'c-1', seq: 1, type: 'count', lines: [{ sku: 'COAT', qty: 500 }] },
          { clientOpId: 'c-2', seq: 2, type: 'sale', lines: [{ sku: 'COAT', qty: 1 }] },
        ],
      },
    );
    expect(clerkBatch.body.results).toEqual([
      { clientOpId: 'c-1', seq: 1, status: 'rejected', reason: 'count-needs-manager' },
      { clientOpId: 'c-2', seq: 2, status: 'applied' },
    ]);
    expect(clerkBatch.body).toMatchObject({ cursor: 2, gaps: [] });
    expect(await levelOf(h, 'COAT', 'S1')).toMatchObject({ onHand: 2 });

    const managerBatch = await managerS1.post<{ results: unknown[] }>('/v1/stores/S1/sync', {
      ops: [{ clientOpId: 'c-3', seq: 3, type: 'count', lines: [{ sku: 'COAT', qty: 2 }] }],
    });
    expect(managerBatch.body.results).toEqual([{ clientOpId: 'c-3', seq: 3, status: 'applied' }]);
    expect((await audit('stock.count')).map((e) => e.details?.clientOpId ?? e.details?.countId)).toEqual([
      'c-3',
      'cc-mgr',
    ]);
  });

  it('a clerk count held behind a gap is still refused when a manager fills the gap', async () => {
    const held = await clerkS1.post<{ results: unknown[] }>('/v1/stores/S1/sync', {
      ops: [{ clientOpId: 'c-5', seq: 5, type: 'count', lines: [{ sku: 'COAT', qty: 900 }] }],
    });
    expect(held.body.results).toEqual([{ clientOpId: 'c-5', seq: 5, status: 'held' }]);
    await managerS1.post('/v1/stores/S1/sync', {
      ops: [{ clientOpId: 'c-4', seq: 4, type: 'return', lines: [{ sku: 'COAT', qty: 1 }] }],
    });
    expect(await levelOf(h, 'COAT', 'S1')).toMatchObject({ onHand: 3 });
    const state = await h.ops.get<{ cursor: number }>('/v1/stores/S1/sync');
    expect(state.body.cursor).toBe(5);
    const op = await h.svc.store.collection('pos_ops').findById('S1|c-5');
    expect(op).toMatchObject({ status: 'rejected', reason: 'count-needs-manager' });
  });

  it('transfers (request, ship, receive) and forced POS batches are audited', async () => {
    await managerS1.post('/v1/transfers', {
      transferId: 'tr-audit',
      fromLocationId: 'S1',
      toLocationId: 'S2',
      lines: [{ sku: 'COAT', qty: 1 }],
    });
    await managerS1.post('/v1/transfers/tr-audit/ship');
    await managerS2.post('/v1/transfers/tr-audit/receive', {});
    const actions = (await h.ops.get<Items<AuditItem>>('/v1/audit?targetId=tr-audit')).body.items.map((e) => [
      e.action,
      e.actor.sub,
    ]);
    expect(actions).toEqual([
      ['transfer.received', 'manager-S2'],
      ['transfer.shipped', 'manager-S1'],
      ['transfer.requested', 'manager-S1'],
    ]);

    const forced = await clerkS1.post('/v1/stores/S1/sync', {
      ops: [{ clientOpId: 'c-9', seq: 9, type: 'sale', lines: [{ sku: 'COAT', qty: 1 }] }],
      force: true,
    });
    expect(forced.body).toMatchObject({ cursor: 9, skipped: [{ from: 6, to: 8 }] });
    expect(await audit('pos.sync.forced')).toMatchObject([
      {
        actor: { sub: 'clerk-S1' },
        target: { id: 'S1' },
        details: { cursorBefore: 5, cursorAfter: 9, skipped: [{ from: 6, to: 8 }] },
      },
    ]);
  });
});
