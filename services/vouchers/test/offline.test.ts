import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offer, orderId, startVouchers, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startVouchers();
});
afterAll(async () => h?.stop());

interface SyncResult {
  clientOpId: string;
  outcome: string;
  replayed: boolean;
  conflictId?: string;
  redemptionId?: string;
  error?: { type: string };
}

describe('offline counter redemptions', () => {
  it('the same voucher redeemed offline at two stores: one applied, the other a conflict for ops, never twice', async () => {
    const o = offer();
    await h.createOffer(o);
    const id = orderId();
    const [v] = await h.buy(id, o.sku as string, 1);
    const s01 = await h.clerk('S01');
    const s02 = await h.clerk('S02');
    // The counters were offline for the last two hours; both redeemed an hour ago.
    h.clock.advance(2 * 3600_000);
    const earlier = new Date(h.clock.now().getTime() - 3600_000).toISOString();
    const first = await s01.post<{ results: SyncResult[] }>('/v1/stores/S01/vouchers/offline-redemptions', {
      redemptions: [{ clientOpId: 'S01-op-1', at: earlier, qr: v!.qr }],
    });
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ outcome: 'applied', replayed: false });
    const batch = { redemptions: [{ clientOpId: 'S02-op-7', at: earlier, qr: v!.qr }] };
    const second = await s02.post<{ results: SyncResult[] }>(
      '/v1/stores/S02/vouchers/offline-redemptions',
      batch,
    );
    expect(second.body.results[0]).toMatchObject({
      outcome: 'conflict',
      replayed: false,
      error: { type: 'already-used' },
    });
    // The counter retries the same batch: the same answer, no second conflict.
    const retry = await s02.post<{ results: SyncResult[] }>(
      '/v1/stores/S02/vouchers/offline-redemptions',
      batch,
    );
    expect(retry.body.results[0]).toMatchObject({
      outcome: 'conflict',
      replayed: true,
      conflictId: second.body.results[0]!.conflictId,
    });
    const conflicts = await h.ops.get<{
      items: Array<{
        conflictId: string;
        kind: string;
        storeId: string;
        voucherId: string;
        acceptedRedemptions: string[];
      }>;
    }>('/v1/voucher-conflicts?status=open');
    const mine = conflicts.body.items.filter((c) => c.voucherId === v!.voucherId);
    expect(mine).toEqual([
      expect.objectContaining({
        kind: 'double-redemption',
        storeId: 'S02',
        acceptedRedemptions: [first.body.results[0]!.redemptionId],
      }),
    ]);
    // One redemption, at S01, when the counter did it, marked offline.
    const trace = await h.ops.get<{
      redemptions: Array<{ storeId: string; offline: boolean; redeemedAt: string }>;
    }>(`/v1/vouchers/${v!.voucherId}`);
    expect(trace.body.redemptions).toEqual([
      expect.objectContaining({ storeId: 'S01', offline: true, redeemedAt: earlier }),
    ]);
    // Ops closes it (audited); closing twice is 409; a clerk may not.
    const conflictId = mine[0]!.conflictId;
    expect((await s02.post(`/v1/voucher-conflicts/${conflictId}/resolve`, { resolution: 'x' })).status).toBe(
      403,
    );
    expect(
      (await h.ops.post(`/v1/voucher-conflicts/${conflictId}/resolve`, { resolution: 'charged store S02' }))
        .status,
    ).toBe(200);
    expect(
      (await h.ops.post(`/v1/voucher-conflicts/${conflictId}/resolve`, { resolution: 'again' })).status,
    ).toBe(409);
    expect((await h.ops.post('/v1/voucher-conflicts/nope/resolve', { resolution: 'x' })).status).toBe(404);
  });

  it('a batch applies in order, once per clientOpId; unknown codes are rejected; limits reached offline are conflicts', async () => {
    const o = offer({ limits: { perStorePerDay: 1 } });
    await h.createOffer(o);
    const [a, b] = await h.buy(orderId(), o.sku as string, 2);
    const clerk = await h.clerk('S03');
    const at = h.clock.now().toISOString();
    const res = await clerk.post<{ results: SyncResult[] }>('/v1/stores/S03/vouchers/offline-redemptions', {
      redemptions: [
        { clientOpId: 'op-a', at, code: a!.code },
        { clientOpId: 'op-x', at, code: 'ZZZZ-ZZZZ-ZZZZ' },
        { clientOpId: 'op-b', at, code: b!.code },
        { clientOpId: 'op-a', at, code: a!.code },
      ],
    });
    expect(res.body.results.map((r) => [r.clientOpId, r.outcome, r.replayed])).toEqual([
      ['op-a', 'applied', false],
      ['op-x', 'rejected', false],
      ['op-b', 'conflict', false],
      ['op-a', 'applied', true],
    ]);
    expect(res.body.results[2]!.error?.type).toBe('store-day-limit');
    // Strict input: no more than 200 per batch, nothing applied on a bad batch.
    const tooMany = Array.from({ length: 201 }, (_, i) => ({ clientOpId: `m-${i}`, at, code: b!.code }));
    expect(
      (await clerk.post('/v1/stores/S03/vouchers/offline-redemptions', { redemptions: tooMany })).status,
    ).toBe(400);
  });
});
