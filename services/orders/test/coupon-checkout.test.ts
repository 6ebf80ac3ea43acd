import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, key, startHarness, type Harness } from './support/harness';

/**
 * A wallet coupon at checkout, through POST /v1/orders: redeemed by the place saga over gRPC
 * (customers double), off the amount charged, released when the order is cancelled; one coupon pays
 * for one order when many orders race for it, and the losers leave nothing behind.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

interface View {
  id: string;
  status: string;
  amountDue: { amountMinor: number };
  total: { amountMinor: number };
  coupon?: { couponId: string; redeemed: boolean; released: boolean; discount?: { amountMinor: number } };
  payment: { status: string; authorized?: { amountMinor: number } };
}

const pickupBody = (couponId?: string) => ({
  lines: [{ sku: 'TEE', qty: 1 }],
  fulfilment: { method: 'pickup', storeId: 'S2' },
  payment: { method: 'card', cardToken: 'tok_visa' },
  ...(couponId ? { couponId } : {}),
});

describe('coupon at checkout', () => {
  it('the coupon comes off the amount charged; cancelling gives it back', async () => {
    h.customers.addCoupon('CP-500', 'C1', 500);
    const shopper = api(h, await h.issuer.customer('C1'));
    const placed = await shopper.post<View>('/v1/orders', pickupBody('CP-500'), { headers: key() });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      total: { amountMinor: 1999 },
      amountDue: { amountMinor: 1499 },
      coupon: { couponId: 'CP-500', redeemed: true, discount: { amountMinor: 500 } },
      payment: { status: 'authorized', authorized: { amountMinor: 1499 } },
    });
    expect(h.customers.coupons.get('CP-500')!.redeemedFor).toBe(placed.body.id);

    const cancelled = await shopper.post<View>(`/v1/orders/${placed.body.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.coupon).toMatchObject({ redeemed: true, released: true });
    expect(h.customers.coupons.get('CP-500')!.redeemedFor).toBeUndefined();
  });

  it('20 concurrent orders with one coupon: exactly one is placed with it, the others are refused and leak nothing', async () => {
    h.customers.addCoupon('CP-RACE', 'C1', 300);
    const shopper = api(h, await h.issuer.customer('C1'));
    const before = h.inventory.available('S2', 'TEE');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        shopper.post<View & { type?: string; detail?: string }>('/v1/orders', pickupBody('CP-RACE'), {
          headers: key('race'),
        }),
      ),
    );
    const placed = results.filter((r) => r.status === 201);
    expect(placed).toHaveLength(1);
    expect(placed[0]!.body.amountDue.amountMinor).toBe(1999 - 300);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(19);
    for (const r of refused) expect(r.body.detail).toContain('coupon-not-usable');
    // only the winner holds stock and an authorisation
    expect(h.inventory.available('S2', 'TEE')).toBe(before - 1);
    const open = h.payments
      .openAuthorizations()
      .filter((a) => results.some((r) => a.key.startsWith(r.body.id ?? '-')));
    expect(open).toEqual([
      { key: `${placed[0]!.body.id}:auth`, amount: { amountMinor: 1699, currency: 'EUR' } },
    ]);
    expect(h.customers.coupons.get('CP-RACE')!.redeemedFor).toBe(placed[0]!.body.id);
  });

  it("someone else's or an unknown coupon is refused; a coupon without a customer is a 400", async () => {
    h.customers.addCoupon('CP-C2', 'C2', 500);
    const shopper = api(h, await h.issuer.customer('C1'));
    const foreign = await shopper.post<{ detail: string }>('/v1/orders', pickupBody('CP-C2'), {
      headers: key(),
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.detail).toContain('coupon-not-found');
    expect(h.customers.coupons.get('CP-C2')!.redeemedFor).toBeUndefined();
    const staff = api(h, await h.issuer.staff('S2'));
    const guest = await staff.post(
      '/v1/orders',
      { ...pickupBody('CP-C2'), channel: 'store' },
      { headers: key() },
    );
    expect(guest.status).toBe(400);
  });
});
