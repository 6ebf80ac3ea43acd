import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offer, orderId, startVouchers, type Harness } from './helpers';

/**
 * Redemption under concurrency, through HTTP: the voucher claim and the per-store daily limit are
 * conditional updates in one transaction, so racing counters can never redeem one code twice or a
 * store more than its limit.
 */
let h: Harness;
beforeAll(async () => {
  // Counters here redeem real codes in bulk: the brute-force brake's in-flight slots must not be the limit.
  h = await startVouchers({ throttle: { counterFailures: 5000, storeFailures: 5000 } });
});
afterAll(async () => h?.stop());

describe('concurrent redemptions', () => {
  it('the same code at two counters at once: exactly one redemption', async () => {
    const o = offer();
    await h.createOffer(o);
    const vouchers = await h.buy(orderId(), o.sku as string, 20);
    const s01 = await h.clerk('S01');
    const s02 = await h.clerk('S02');
    const results = await Promise.all(
      vouchers.map((v) =>
        Promise.all([
          s01.post('/v1/stores/S01/vouchers/redemptions', { code: v.code }),
          s02.post('/v1/stores/S02/vouchers/redemptions', { qr: v.qr }),
        ]),
      ),
    );
    for (const pair of results) {
      expect(pair.map((r) => r.status).sort()).toEqual([201, 409]);
    }
    const redemptions = h.svc.store.collection('voucher_redemptions');
    for (const v of vouchers) expect(await redemptions.countDocuments({ voucherId: v.voucherId })).toBe(1);
  }, 60_000);

  it('1,000 different codes of one offer at one store with a daily limit of 100: exactly 100', async () => {
    const o = offer({ limits: { perStorePerDay: 100 } });
    await h.createOffer(o);
    const vouchers = await h.buy(orderId(), o.sku as string, 1000, { unitPriceMinor: 990 });
    // Ten counters of the store, a hundred requests each, all at once.
    const clerks = await Promise.all(Array.from({ length: 10 }, (_, i) => h.clerk('S01', `clerk-${i}`)));
    const results = await Promise.all(
      vouchers.map((v, i) =>
        clerks[i % 10]!.post<{ type?: string }>('/v1/stores/S01/vouchers/redemptions', { code: v.code }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(900);
    for (const r of refused) expect(r.body.type).toContain('voucher-store-day-limit');
    // The ledger, the vouchers and the day's counter agree exactly.
    const redemptions = await h.svc.store
      .collection('voucher_redemptions')
      .countDocuments({ offerId: o.id, storeId: 'S01' });
    const used = await h.svc.store.collection('vouchers').countDocuments({ offerId: o.id, status: 'used' });
    const day = h.clock.now().toISOString().slice(0, 10);
    const counter = await h.svc.store
      .collection('voucher_day_counters')
      .findById(`${o.id as string}:S01:${day}`);
    expect(redemptions).toBe(100);
    expect(used).toBe(100);
    expect(counter?.count).toBe(100);
    // Another store has its own 100.
    const s02 = await h.clerk('S02');
    const unused = (
      await h.svc.store.collection('vouchers').find({ offerId: o.id, status: 'active' }, { limit: 1 })
    )[0]!;
    const code = vouchers.find((v) => v.voucherId === unused._id)!.code;
    expect((await s02.post('/v1/stores/S02/vouchers/redemptions', { code })).status).toBe(201);
  }, 120_000);
});
