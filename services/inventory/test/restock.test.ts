import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelOf, recordEvents, seedDemo, startInventory, T, type Api, type Harness } from './harness';

/**
 * Issue 18 part 2: low-stock alerts become a manager's inbox (one open suggestion per SKU and
 * location, repeated alerts merged, atomically), one call turns a suggestion into a transfer
 * request or a purchase order, and min/max rules act without a human within a budget, audited.
 */
let h: Harness;
let managerS1: Api;
let managerS2: Api;
let clerkS1: Api;

type Items<T> = { items: T[]; nextCursor: string | null };
type Suggestion = {
  suggestionId: string;
  sku: string;
  locationId: string;
  status: string;
  origin: string;
  suggestedQty: number;
  suggestedSourceLocationId?: string;
  supplierId?: string;
  alerts: number;
  result?: { type: string; id: string };
  note?: string;
};

let adjustments = 0;
/** A manager's write-off (or correction) through the API. */
const adjust = (sku: string, locationId: string, delta: number) =>
  h.ops.post(`/v1/locations/${locationId}/adjustments`, {
    adjustmentId: `adj-${++adjustments}`,
    sku,
    delta,
    reason: delta < 0 ? 'damage' : 'adjustment',
  });

const inbox = async (api: Api, query: string) =>
  (await api.get<Items<Suggestion>>(`/v1/restock-suggestions?${query}`)).body.items;

beforeAll(async () => {
  h = await startInventory({
    settings: { replenishmentEveryMs: 3_600_000, replenishmentDailyUnitBudget: 40 },
  });
  await seedDemo(h, [
    { sku: 'TEE', locationId: 'WH1', onHand: 200 },
    { sku: 'TEE', locationId: 'S1', onHand: 12, reorderPoint: 5 },
    { sku: 'TEE', locationId: 'S2', onHand: 12, reorderPoint: 5 },
    { sku: 'CAP', locationId: 'S1', onHand: 10, reorderPoint: 4 },
    { sku: 'CAP', locationId: 'S2', onHand: 10, reorderPoint: 4 },
    { sku: 'MUG', locationId: 'S1', onHand: 30 },
    { sku: 'MUG', locationId: 'WH1', onHand: 500 },
    { sku: 'PEN', locationId: 'S2', onHand: 3 },
  ]);
  managerS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'manager', 'manager-S1'));
  managerS2 = h.anon.withToken(await h.deps.issuer.staff('S2', 'manager', 'manager-S2'));
  clerkS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'clerk', 'clerk-S1'));
  expect(
    (await h.ops.put('/v1/suppliers/SUP-CAPS', { name: 'Caps & Co', leadTimeDays: 5, skus: ['CAP', 'PEN'] }))
      .status,
  ).toBe(201);
}, 60_000);
afterAll(async () => h?.stop());

describe('restock inbox', () => {
  it('a low-stock alert becomes a suggestion in the location managers inbox, from the suggested source', async () => {
    const events = await recordEvents(h.deps.bus, 'restock-inbox');
    expect((await adjust('TEE', 'S1', -8)).status).toBe(201); // 12 → 4, at or below 5
    const [alert] = await events.waitFor(T.lowStock, 1, 'TEE');
    await events.close();
    const open = await inbox(managerS1, 'locationId=S1&status=open&sku=TEE');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      sku: 'TEE',
      locationId: 'S1',
      status: 'open',
      origin: 'low-stock',
      alerts: 1,
      suggestedQty: alert!.data.suggestedQty,
      suggestedSourceLocationId: 'WH1',
    });
    // Another store's manager sees none of it, a clerk has no inbox.
    expect(await inbox(managerS2, 'sku=TEE&locationId=S2')).toEqual([]);
    expect((await managerS2.get(`/v1/restock-suggestions/${open[0]!.suggestionId}`)).status).toBe(404);
    expect((await managerS2.get('/v1/restock-suggestions?locationId=S1')).status).toBe(403);
    expect((await clerkS1.get('/v1/restock-suggestions')).status).toBe(403);
  });

  it('alerts racing on one SKU and location leave exactly one open suggestion that counts them all', async () => {
    const events = await recordEvents(h.deps.bus, 'restock-race');
    // Each down/up pair crosses the reorder point of S2/CAP (10, reorder point 4) once.
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? adjust('CAP', 'S2', -7) : adjust('CAP', 'S2', 7))),
    );
    expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
    // Ends where it started (10): the last crossing re-armed it; force one last alert to settle.
    expect((await adjust('CAP', 'S2', -7)).status).toBe(201);
    const level = await levelOf(h, 'CAP', 'S2');
    expect(level.available).toBe(3);
    const all = await inbox(h.ops, 'locationId=S2&sku=CAP');
    expect(all).toHaveLength(1);
    expect(all[0]!.status).toBe('open');
    // Every LowStock published for S2/CAP was merged into that one suggestion (no CAP alert elsewhere yet).
    const alerts = await events.waitFor(T.lowStock, all[0]!.alerts, 'CAP');
    await events.close();
    expect(alerts.every((e) => e.data.locationId === 'S2')).toBe(true);
    expect(alerts).toHaveLength(all[0]!.alerts);
    expect(all[0]!.alerts).toBeGreaterThan(1);
    expect(all[0]!.supplierId).toBe('SUP-CAPS');
  });

  it('one call turns a suggestion into a transfer request; racing calls make exactly one', async () => {
    const [s] = await inbox(managerS1, 'locationId=S1&status=open&sku=TEE');
    const tries = await Promise.all(
      Array.from({ length: 8 }, () =>
        managerS1.post(`/v1/restock-suggestions/${s!.suggestionId}/transfer`, {}),
      ),
    );
    const made = tries.filter((r) => r.status === 201);
    expect(made).toHaveLength(1);
    expect(tries.filter((r) => r.status === 409)).toHaveLength(7);
    const { transfer, suggestion } = made[0]!.body as {
      transfer: {
        transferId: string;
        fromLocationId: string;
        toLocationId: string;
        status: string;
        lines: unknown;
      };
      suggestion: Suggestion;
    };
    expect(transfer).toMatchObject({
      fromLocationId: 'WH1',
      toLocationId: 'S1',
      status: 'requested',
      lines: [{ sku: 'TEE', qty: s!.suggestedQty }],
    });
    expect(suggestion).toMatchObject({
      status: 'transferred',
      result: { type: 'transfer', id: transfer.transferId },
    });
    expect((await h.ops.get(`/v1/transfers/${transfer.transferId}`)).status).toBe(200);
    // The inbox is free again for the next alert of the same SKU and location.
    expect(await inbox(managerS1, 'locationId=S1&status=open&sku=TEE')).toEqual([]);
    const audit = (await h.ops.get<Items<{ action: string; actor: { sub: string } }>>('/v1/audit?limit=200'))
      .body.items;
    expect(audit.some((a) => a.action === 'transfer.requested' && a.actor.sub === 'manager-S1')).toBe(true);
  });

  it("turns a suggestion into a purchase order to the SKU's supplier, placed with its lead time", async () => {
    const [s] = await inbox(h.ops, 'locationId=S2&status=open&sku=CAP');
    const r = await h.ops.post<{ purchaseOrder: Record<string, unknown>; suggestion: Suggestion }>(
      `/v1/restock-suggestions/${s!.suggestionId}/purchase-order`,
      { place: true, qty: 20 },
    );
    expect(r.status).toBe(201);
    expect(r.body.purchaseOrder).toMatchObject({
      supplierId: 'SUP-CAPS',
      locationId: 'S2',
      status: 'placed',
      lines: [{ sku: 'CAP', qty: 20, acceptedQty: 0 }],
      expectedAt: new Date(h.clock.current.getTime() + 5 * 86_400_000).toISOString(),
      suggestionId: s!.suggestionId,
    });
    expect(r.body.suggestion.status).toBe('ordered');
  });

  it('a dismissed suggestion is closed with its reason; unknown ids are 404', async () => {
    expect((await adjust('CAP', 'S1', -7)).status).toBe(201); // 10 → 3
    const [s] = await inbox(managerS1, 'locationId=S1&status=open&sku=CAP');
    const r = await managerS1.post<Suggestion & { dismissReason: string }>(
      `/v1/restock-suggestions/${s!.suggestionId}/dismiss`,
      { reason: 'end of season' },
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'dismissed', dismissReason: 'end of season' });
    expect((await managerS1.post(`/v1/restock-suggestions/${s!.suggestionId}/transfer`, {})).status).toBe(
      409,
    );
    expect((await managerS1.post('/v1/restock-suggestions/nope/transfer', {})).status).toBe(404);
  });
});

describe('replenishment rules', () => {
  it('a min/max rule creates a transfer without a human, waits for it, and is audited', async () => {
    expect((await clerkS1.put('/v1/locations/S1/replenishment-rules/MUG', { min: 25, max: 40 })).status).toBe(
      403,
    );
    expect(
      (await managerS1.put('/v1/locations/S1/replenishment-rules/MUG', { min: 40, max: 25 })).status,
    ).toBe(400);
    const put = await managerS1.put('/v1/locations/S1/replenishment-rules/MUG', { min: 30, max: 60 });
    expect(put.status).toBe(201);
    // MUG at S1: 29 available, min 30 → 31 units to reach 60, from WH1 (500).
    expect((await adjust('MUG', 'S1', -1)).status).toBe(201);
    const run = await h.ops.post<{ outcomes: Array<Record<string, unknown>> }>('/v1/ops/replenishment/run');
    expect(run.status).toBe(200);
    const fired = run.body.outcomes.find((o) => o.ruleId === 'MUG|S1');
    expect(fired).toMatchObject({ outcome: 'transfer', qty: 31 });
    const transfer = (await h.ops.get(`/v1/transfers/${String(fired!.id)}`)).body;
    expect(transfer).toMatchObject({
      fromLocationId: 'WH1',
      toLocationId: 'S1',
      lines: [{ sku: 'MUG', qty: 31 }],
    });
    // Until that transfer lands, the rule does not order again.
    const again = await h.svc.inventory.replenish();
    expect(again.find((o) => o.ruleId === 'MUG|S1')).toMatchObject({ outcome: 'waiting' });
    const audit = (await h.ops.get<Items<{ action: string; actor: { sub: string } }>>('/v1/audit?limit=200'))
      .body.items;
    expect(
      audit.some((a) => a.action === 'replenishment.rule-fired' && a.actor.sub === 'system:replenishment'),
    ).toBe(true);
    const rules = (
      await clerkS1.get<Items<{ sku: string; pending?: { id: string } }>>(
        '/v1/locations/S1/replenishment-rules',
      )
    ).body.items;
    expect(rules).toEqual([
      expect.objectContaining({ sku: 'MUG', pending: { type: 'transfer', id: fired!.id } }),
    ]);
  });

  it('over the daily budget a rule leaves a suggestion for a human instead', async () => {
    // PEN at S2: 3 available, min 5 max 50 → 47 units, over the budget of 40 per day.
    expect(
      (await managerS2.put('/v1/locations/S2/replenishment-rules/PEN', { min: 5, max: 50, mode: 'purchase' }))
        .status,
    ).toBe(201);
    const out = await h.svc.inventory.replenish();
    expect(out.find((o) => o.ruleId === 'PEN|S2')).toMatchObject({ outcome: 'left-open' });
    const [s] = await inbox(managerS2, 'locationId=S2&status=open&sku=PEN');
    expect(s).toMatchObject({ origin: 'rule', suggestedQty: 47, supplierId: 'SUP-CAPS' });
    expect(s!.note).toContain('budget');
    // Within budget it orders from the supplier, placed.
    expect(
      (await managerS2.put('/v1/locations/S2/replenishment-rules/PEN', { min: 5, max: 20, mode: 'purchase' }))
        .status,
    ).toBe(200);
    const next = await h.svc.inventory.replenish();
    const fired = next.find((o) => o.ruleId === 'PEN|S2');
    expect(fired).toMatchObject({ outcome: 'purchase-order', qty: 17 });
    const po = (await managerS2.get(`/v1/purchase-orders/${String((fired as { id: string }).id)}`)).body;
    expect(po).toMatchObject({ status: 'placed', supplierId: 'SUP-CAPS', lines: [{ sku: 'PEN', qty: 17 }] });
    // The open suggestion was merged into what the rule did, not left beside it.
    expect(await inbox(managerS2, 'locationId=S2&status=open&sku=PEN')).toEqual([]);
    expect((await managerS2.delete('/v1/locations/S2/replenishment-rules/PEN')).status).toBe(204);
    expect((await managerS2.delete('/v1/locations/S2/replenishment-rules/PEN')).status).toBe(404);
  });
});
