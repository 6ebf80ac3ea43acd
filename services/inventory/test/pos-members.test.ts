import { StoreSaleRecorded } from '@omni/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosBatchResult } from '../src';
import { levelOf, recordEvents, seedDemo, startInventory, type Api, type Harness } from './harness';

/**
 * Issue 16 item 4: a till sale or return may name the member and carry unit prices. Stock moves as
 * before (prices are not inventory's business); an applied op with a member is published once as
 * StoreSaleRecorded — not again on a replayed batch, concurrent duplicates, or a held op released later.
 */
let h: Harness;
let clerkS1: Api;
let recorder: Awaited<ReturnType<typeof recordEvents>>;

beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [
    { sku: 'SODA', locationId: 'S1', onHand: 500 },
    { sku: 'CHIPS', locationId: 'S1', onHand: 500 },
  ]);
  clerkS1 = h.anon.withToken(await h.deps.issuer.staff('S1', 'clerk'));
  recorder = await recordEvents(h.deps.bus, 'test-pos-members');
});
afterAll(async () => {
  await recorder?.close();
  await h?.stop();
});

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
type SaleData = { saleId: string; member: Record<string, string>; lines: unknown[]; total?: unknown; kind: string; returnOf?: string };
const sync = (ops: unknown[], force = false) =>
  clerkS1.post<PosBatchResult>('/v1/stores/S1/sync', force ? { ops, force } : { ops });
const salesOf = (saleId: string) =>
  recorder.ofType(StoreSaleRecorded.type, 'S1').filter((e) => (e.data as unknown as SaleData).saleId === saleId);

describe('till ops naming a member', () => {
  it('moves stock, publishes the sale once with the till prices and total, and a replay publishes nothing', async () => {
    const op = {
      clientOpId: 'm-1',
      seq: 1,
      type: 'sale',
      member: { card: '4000 1234' },
      lines: [
        { sku: 'SODA', qty: 2, unitPrice: eur(1_50) },
        { sku: 'CHIPS', qty: 1, unitPrice: eur(2_25) },
      ],
      occurredAt: '2025-03-01T09:30:00.000Z',
    };
    const first = await sync([op]);
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([{ clientOpId: 'm-1', seq: 1, status: 'applied' }]);
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 498 });

    // The same batch 10 times at once, and the same id with another member: nothing twice, reuse refused.
    const replays = await Promise.all(Array.from({ length: 10 }, () => sync([op])));
    expect(replays.map((r) => r.body.results[0]!.status)).toEqual(Array(10).fill('duplicate'));
    const reused = await sync([{ ...op, member: { card: '4000 9999' } }]);
    expect(reused.body.results[0]).toMatchObject({ status: 'rejected', reason: 'client-op-id-reused' });
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 498 });

    // A later op as a marker: once it is seen, every event of m-1 has been published.
    expect((await sync([{ clientOpId: 'm-2', seq: 2, type: 'return', member: { phone: '+49 30 1234567' }, returnOf: 'm-1', lines: [{ sku: 'SODA', qty: 1, unitPrice: eur(1_50) }] }])).status).toBe(200);
    await recorder.waitFor(StoreSaleRecorded.type, 2, 'S1');
    const m1 = salesOf('S1:m-1');
    expect(m1).toHaveLength(1);
    expect(m1[0]!.data).toEqual({
      saleId: 'S1:m-1',
      storeId: 'S1',
      clientOpId: 'm-1',
      kind: 'sale',
      member: { card: '4000 1234' },
      lines: [
        { sku: 'SODA', qty: 2, unitPrice: eur(1_50) },
        { sku: 'CHIPS', qty: 1, unitPrice: eur(2_25) },
      ],
      total: eur(5_25),
      occurredAt: '2025-03-01T09:30:00.000Z',
    });
    expect(salesOf('S1:m-2')[0]!.data).toMatchObject({ kind: 'return', returnOf: 'm-1', member: { phone: '+49 30 1234567' }, total: eur(1_50) });
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 499 });
  });

  it('publishes a held sale when its gap is filled, and nothing for an anonymous sale or mixed currencies without a total', async () => {
    const held = await sync([{ clientOpId: 'h-4', seq: 4, type: 'sale', member: { card: 'HELD0001' }, lines: [{ sku: 'SODA', qty: 1, unitPrice: eur(1_50) }] }]);
    expect(held.body.results[0]).toMatchObject({ status: 'held' });
    expect(held.body.gaps).toEqual([{ from: 3, to: 3 }]);
    // Anonymous sale fills the gap: it moves stock, is not published; the held member sale is.
    const filled = await sync([{ clientOpId: 'a-3', seq: 3, type: 'sale', lines: [{ sku: 'SODA', qty: 1, unitPrice: eur(1_50) }] }]);
    expect(filled.body.appliedFromHold).toEqual([{ clientOpId: 'h-4', seq: 4 }]);
    await sync([{ clientOpId: 'x-5', seq: 5, type: 'sale', member: { card: 'MIXED001' }, lines: [{ sku: 'SODA', qty: 1, unitPrice: eur(1_50) }, { sku: 'CHIPS', qty: 1, unitPrice: { amountMinor: 300, currency: 'USD' } }] }]);
    await recorder.waitFor(StoreSaleRecorded.type, 4, 'S1');
    expect(salesOf('S1:h-4')[0]!.data).toMatchObject({ member: { card: 'HELD0001' }, total: eur(1_50) });
    expect(salesOf('S1:a-3')).toHaveLength(0);
    expect(salesOf('S1:x-5')[0]!.data).not.toHaveProperty('total');
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 496 });
  });

  it('refuses a member on a receipt or count (per op, keeping the sequence) and bad member/price input as a whole', async () => {
    const res = await sync([{ clientOpId: 'r-6', seq: 6, type: 'receipt', member: { card: 'ABCD1234' }, lines: [{ sku: 'SODA', qty: 5 }] }]);
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', reason: 'till-details-only-on-sales' });
    expect(res.body.cursor).toBe(6);
    for (const bad of [
      { member: {} },
      { member: { card: 'AB' } },
      { member: { name: 'Ann' } },
      { lines: [{ sku: 'SODA', qty: 1, unitPrice: { amountMinor: '150', currency: 'EUR' } }] },
      { lines: [{ sku: 'SODA', qty: 1, unitPrice: { amountMinor: -1, currency: 'EUR' } }] },
      { lines: [{ sku: 'SODA', qty: 1, unitPrice: { amountMinor: 1, currency: 'eur' } }] },
    ]) {
      const r = await sync([{ clientOpId: 'bad-7', seq: 7, type: 'sale', lines: [{ sku: 'SODA', qty: 1 }], ...bad }]);
      expect(r.status).toBe(400);
    }
    expect(await levelOf(h, 'SODA', 'S1')).toMatchObject({ onHand: 496 });
  });
});
