import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCancelled, OrderConfirmed } from '@omni/contracts';
import { client, waitFor } from '@omni/testing';
import { VoucherCodes } from '../src';
import { cancelled, confirmed, DAY, offer, orderId, startVouchers, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startVouchers();
});
afterAll(async () => h?.stop());

interface Problem {
  type: string;
  voucherId?: string;
}
interface Redeemed {
  redemption: {
    redemptionId: string;
    storeId: string;
    clerk: string;
    amount: { amountMinor: number };
    settlement: { amountMinor: number };
    orderId: string;
  };
  voucher: { status: string; remaining: { amountMinor: number } };
}

describe('vouchers bought online, redeemed at the counter', () => {
  it('issues one code and signed QR per unit, shown to the customer only, once per order', async () => {
    const o = offer();
    await h.createOffer(o);
    const id = orderId();
    const vouchers = await h.buy(id, o.sku as string, 2, { customerId: 'C-issue' });
    expect(vouchers).toHaveLength(2);
    const [a, b] = vouchers;
    expect(a!.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(a!.code).not.toBe(b!.code);
    // The QR verifies offline with the published key alone.
    const clerk = await h.clerk('S01');
    const key = await clerk.get<{ publicKeyPem: string }>('/v1/vouchers/qr-key');
    const check = VoucherCodes.verifyQrWith(a!.qr!, key.body.publicKeyPem, h.clock.now());
    expect(check.ok && check.claims.voucherId).toBe(a!.voucherId);
    // A redelivered confirmation issues nothing new; the events never carry a code.
    await h.publish(
      OrderConfirmed,
      id,
      confirmed(id, 'C-issue', o.sku as string, 2, { amountMinor: 4000, currency: 'EUR' }),
    );
    await h.waitEvent(
      'omni.vouchers.voucher.issued.v1',
      (e) => (e.data as { orderId: string }).orderId === id,
    );
    const again = await (await h.customer('C-issue')).get<{ items: unknown[] }>(`/v1/orders/${id}/vouchers`);
    expect(again.body.items).toHaveLength(2);
    const issued = h.events.filter(
      (e) => e.type.endsWith('issued.v1') && (e.data as { orderId: string }).orderId === id,
    );
    for (const e of issued) expect(Object.keys(e.data as object)).not.toContain('code');
    // Someone else's order is 404, a store clerk cannot read customer vouchers at all.
    expect((await (await h.customer('C-other')).get(`/v1/orders/${id}/vouchers`)).status).toBe(404);
    expect((await clerk.get(`/v1/orders/${id}/vouchers`)).status).toBe(403);
  });

  it("redeems a one-use voucher once, at the clerk's own store only, traceable to order, store, clerk", async () => {
    const o = offer({ stores: ['S01', 'S02'] });
    await h.createOffer(o);
    const id = orderId();
    const [v] = await h.buy(id, o.sku as string, 1);
    const s01 = await h.clerk('S01', 'clerk-anna');
    const s02 = await h.clerk('S02');
    // A clerk of S02 cannot redeem at S01.
    expect((await s02.post('/v1/stores/S01/vouchers/redemptions', { code: v!.code })).status).toBe(403);
    const res = await s01.post<Redeemed>('/v1/stores/S01/vouchers/redemptions', {
      code: v!.code!.toLowerCase(),
    });
    expect(res.status).toBe(201);
    expect(res.body.redemption).toMatchObject({
      storeId: 'S01',
      clerk: 'clerk-anna',
      orderId: id,
      amount: { amountMinor: 4000 },
      settlement: { amountMinor: 4000 },
    });
    expect(res.body.voucher.status).toBe('used');
    const twice = await s02.post<Problem>('/v1/stores/S02/vouchers/redemptions', { code: v!.code });
    expect(twice.status).toBe(409);
    expect(twice.body.type).toContain('voucher-already-used');
    // Ops trace: the redemption with its order, store and clerk.
    const trace = await h.ops.get<{
      redemptions: Array<{ storeId: string; clerk: string; orderId: string }>;
    }>(`/v1/vouchers/${v!.voucherId}`);
    expect(trace.body.redemptions).toEqual([
      expect.objectContaining({ storeId: 'S01', clerk: 'clerk-anna', orderId: id }),
    ]);
    expect(JSON.stringify(trace.body)).not.toContain(v!.code!);
    // Stores outside the offer refuse it; unknown stores are 404.
    const [w] = await h.buy(orderId(), o.sku as string, 1);
    const s03 = await h.clerk('S03');
    const far = await s03.post<Problem>('/v1/stores/S03/vouchers/redemptions', { qr: w!.qr });
    expect(far.status).toBe(422);
    expect(far.body.type).toContain('voucher-store-not-allowed');
    expect((await h.ops.post('/v1/stores/S99/vouchers/redemptions', { code: w!.code })).status).toBe(404);
  });

  it('a retried redemption with the same Idempotency-Key answers the first redemption', async () => {
    const o = offer();
    await h.createOffer(o);
    const [v] = await h.buy(orderId(), o.sku as string, 1);
    const clerk = await h.clerk('S01');
    const headers = { 'idempotency-key': `redeem-${v!.voucherId}` };
    const first = await clerk.post<Redeemed>(
      '/v1/stores/S01/vouchers/redemptions',
      { code: v!.code },
      { headers },
    );
    const retry = await clerk.post<Redeemed>(
      '/v1/stores/S01/vouchers/redemptions',
      { code: v!.code },
      { headers },
    );
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.redemption.redemptionId).toBe(first.body.redemption.redemptionId);
  });

  it('value vouchers redeem in parts; settlement adds up to the price paid; the rest is refundable', async () => {
    const o = offer({
      kind: 'value',
      faceValue: { amountMinor: 5000, currency: 'EUR' },
      limits: { perVoucherPerDay: 2 },
    });
    await h.createOffer(o);
    const id = orderId();
    const [v] = await h.buy(id, o.sku as string, 1, { customerId: 'C-value', unitPriceMinor: 4000 });
    const clerk = await h.clerk('S02');
    const part = async (amountMinor: number) =>
      clerk.post<Redeemed & Problem>('/v1/stores/S02/vouchers/redemptions', { code: v!.code, amountMinor });
    const r1 = await part(1250);
    expect(r1.status).toBe(201);
    expect(r1.body.redemption.settlement.amountMinor).toBe(1000);
    expect(r1.body.voucher.remaining.amountMinor).toBe(3750);
    expect((await part(5000)).body.type).toContain('voucher-insufficient-value');
    expect((await part(1000)).status).toBe(201);
    const third = await part(100);
    expect(third.status).toBe(422);
    expect(third.body.type).toContain('voucher-voucher-day-limit');
    // The customer takes the unused part back: paid 4000, stores are owed 1800 → 2200.
    const me = await h.customer('C-value');
    const refund = await me.post<{ status: string; refund: { amount: { amountMinor: number } } }>(
      `/v1/me/vouchers/${v!.voucherId}/refund`,
    );
    expect(refund.status).toBe(200);
    expect(refund.body.status).toBe('refunded');
    expect(refund.body.refund.amount.amountMinor).toBe(2200);
    const ev = await h.waitEvent(
      'omni.vouchers.voucher.refund-requested.v1',
      (e) => (e.data as { orderId: string }).orderId === id,
    );
    expect(ev.data).toMatchObject({
      amount: { amountMinor: 2200 },
      reason: 'customer',
      voucherId: v!.voucherId,
    });
    expect((await part(100)).status).toBe(409);
    // Another customer's voucher is 404.
    expect((await (await h.customer('C-x')).post(`/v1/me/vouchers/${v!.voucherId}/refund`)).status).toBe(404);
  });

  it('refuses outside the validity window and on excluded days', async () => {
    // 2030-03-06 is a Wednesday (3).
    const o = offer({ excludedWeekdays: [3] });
    await h.createOffer(o);
    const [v] = await h.buy(orderId(), o.sku as string, 1);
    const clerk = await h.clerk('S01');
    const res = await clerk.post<Problem>('/v1/stores/S01/vouchers/redemptions', { code: v!.code });
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('voucher-excluded-day');
    const later = offer({ validFrom: '2030-06-01T00:00:00Z' });
    await h.createOffer(later);
    const [w] = await h.buy(orderId(), later.sku as string, 1);
    expect(
      (await clerk.post<Problem>('/v1/stores/S01/vouchers/redemptions', { code: w!.code })).body.type,
    ).toContain('voucher-not-yet-valid');
  });

  it('expiry: unused vouchers expire; refunded automatically when the offer says so', async () => {
    const o = offer({ validDaysAfterPurchase: 10, refundOnExpiry: true });
    await h.createOffer(o);
    const id = orderId();
    const [v] = await h.buy(id, o.sku as string, 1);
    h.clock.advance(11 * DAY);
    try {
      expect(await h.svc.expireDue()).toBeGreaterThanOrEqual(1);
      const refund = await h.waitEvent(
        'omni.vouchers.voucher.refund-requested.v1',
        (e) => (e.data as { voucherId: string }).voucherId === v!.voucherId,
      );
      expect(refund.data).toMatchObject({ reason: 'expired', amount: { amountMinor: 4000 } });
      await h.waitEvent(
        'omni.vouchers.voucher.expired.v1',
        (e) => (e.data as { voucherId: string }).voucherId === v!.voucherId,
      );
      // A second sweep expires nothing twice.
      await h.svc.expireDue();
      const refunds = h.events.filter(
        (e) =>
          e.type.endsWith('refund-requested.v1') &&
          (e.data as { voucherId: string }).voucherId === v!.voucherId,
      );
      expect(refunds).toHaveLength(1);
      const clerk = await h.clerk('S01');
      expect(
        (await clerk.post<Problem>('/v1/stores/S01/vouchers/redemptions', { code: v!.code })).status,
      ).toBe(409);
    } finally {
      h.clock.advance(-11 * DAY);
    }
  });

  it('a cancelled order voids its vouchers, also when the cancellation arrives first', async () => {
    const o = offer();
    await h.createOffer(o);
    const id = orderId();
    const [v] = await h.buy(id, o.sku as string, 1, { customerId: 'C-cancel' });
    await h.publish(OrderCancelled, id, cancelled(id));
    const me = await h.customer('C-cancel');
    await waitFor(
      async () => {
        const res = await me.get<{ items: Array<{ status: string }> }>(`/v1/orders/${id}/vouchers`);
        return res.body.items[0]?.status === 'void' ? true : undefined;
      },
      { what: 'voucher void' },
    );
    const clerk = await h.clerk('S01');
    expect((await clerk.post('/v1/stores/S01/vouchers/redemptions', { code: v!.code })).status).toBe(409);
    const early = orderId();
    await h.publish(OrderCancelled, early, cancelled(early));
    await h.publish(
      OrderConfirmed,
      early,
      confirmed(early, 'C-cancel', o.sku as string, 1, { amountMinor: 4000, currency: 'EUR' }),
    );
    const marker = orderId();
    await h.buy(marker, o.sku as string, 1, { customerId: 'C-cancel' });
    // The bus keeps order per key only; the marker order shows the consumer ran past; the early one has none.
    await waitFor(
      async () =>
        (await h.svc.store.collection('vouchers').findOne({ orderId: early })) === null ? true : undefined,
      { what: 'no vouchers' },
    );
    expect(await h.svc.store.collection('voucher_cancelled_orders').findById(early)).not.toBeNull();
  });

  it('settlement report per store: what it redeemed and what it is owed', async () => {
    const o = offer();
    await h.createOffer(o);
    const vs = await h.buy(orderId(), o.sku as string, 3, { unitPriceMinor: 1500 });
    const clerk = await h.clerk('S03');
    for (const v of vs)
      expect((await clerk.post('/v1/stores/S03/vouchers/redemptions', { code: v.code })).status).toBe(201);
    const from = new Date(h.clock.now().getTime() - DAY).toISOString();
    const to = new Date(h.clock.now().getTime() + DAY).toISOString();
    const report = await h.ops.get<{
      lines: Array<{ offerId: string; redemptions: number; owedMinor: number }>;
    }>(`/v1/stores/S03/vouchers/settlement?from=${from}&to=${to}`);
    expect(report.status).toBe(200);
    expect(report.body.lines.find((l) => l.offerId === o.id)).toMatchObject({
      redemptions: 3,
      owedMinor: 4500,
    });
    // A clerk cannot read settlement; the list of the store's redemptions is theirs.
    expect((await clerk.get(`/v1/stores/S03/vouchers/settlement?from=${from}&to=${to}`)).status).toBe(403);
    const list = await clerk.get<{ items: unknown[]; nextCursor: string | null }>(
      '/v1/stores/S03/vouchers/redemptions?limit=2',
    );
    expect(list.body.items).toHaveLength(2);
    expect(list.body.nextCursor).not.toBeNull();
    expect((await clerk.get('/v1/stores/S03/vouchers/redemptions?cursor=forged')).status).toBe(400);
  });

  it("brute force: unknown codes spend the counter's budget, then 429 even for a real code", async () => {
    const o = offer();
    await h.createOffer(o);
    const [v] = await h.buy(orderId(), o.sku as string, 1);
    const guesser = client(h.svc.url, await h.deps.issuer.staff('S02', 'clerk', 'clerk-guesser'));
    for (let i = 0; i < 10; i++) {
      const res = await guesser.post('/v1/stores/S02/vouchers/redemptions', {
        code: `AAAA-AAAA-AA${String(i).padStart(2, '0')}`,
      });
      expect(res.status).toBe(404);
    }
    const locked = await guesser.post<Problem>('/v1/stores/S02/vouchers/redemptions', { code: v!.code });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).not.toBeNull();
    // Another counter of the store is not locked out by it.
    expect(
      (
        await (
          await h.clerk('S02', 'clerk-honest')
        ).post('/v1/stores/S02/vouchers/redemptions', { code: v!.code })
      ).status,
    ).toBe(201);
  });

  it('offers: ops only, strict input, 409 on a second offer for a SKU', async () => {
    const o = offer();
    expect((await (await h.clerk('S01')).post('/v1/voucher-offers', o)).status).toBe(403);
    expect((await h.ops.post('/v1/voucher-offers', { ...o, kind: 'value' })).status).toBe(400);
    expect((await h.ops.post('/v1/voucher-offers', { ...o, extra: 1 })).status).toBe(400);
    expect((await h.ops.post('/v1/voucher-offers', o)).status).toBe(201);
    expect((await h.ops.post('/v1/voucher-offers', { ...o, id: 'OFF-other' })).status).toBe(409);
    const audit = await h.ops.get<{ items: Array<{ action: string }> }>('/v1/audit?limit=200');
    expect(audit.body.items.map((e) => e.action)).toContain('vouchers.offer.create');
  });
});
