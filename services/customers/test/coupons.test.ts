import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@omni/kit';
import { client, waitFor } from '@omni/testing';
import { createEvent, toBusMessage } from '@omni/events';
import { CouponExpired, CouponIssued, CouponRedeemed, OrderCompensated } from '@omni/contracts';
import { createCustomer, drainConsumer, startHarness, uniq, type Harness } from './helpers';

/** The coupon wallet through HTTP, gRPC (as orders calls it) and the bus. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

interface CouponBody {
  couponId: string;
  customerId: string;
  value: { amountMinor: number; currency: string };
  status: string;
  reason: string;
  expiresAt: string;
  redeemedFor?: { orderId: string };
}

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

async function newCustomer(): Promise<string> {
  return (await createCustomer(h, { identities: [{ kind: 'email', value: `c-${uniq()}@example.com` }] })).id;
}

async function issue(customerId: string, body: Record<string, unknown>) {
  return h.ops.post<CouponBody>(`/v1/customers/${customerId}/coupons`, body);
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('coupon wallet', () => {
  it('ops issue (idempotent by couponId, audited); the customer lists their own; others may not', async () => {
    const id = await newCustomer();
    const couponId = `gw-${uniq()}`;
    const first = await issue(id, { couponId, value: EUR(500), reason: 'goodwill', note: 'sorry' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      couponId,
      customerId: id,
      value: EUR(500),
      status: 'active',
      reason: 'goodwill',
    });
    const again = await issue(id, { couponId, value: EUR(500), reason: 'goodwill', note: 'sorry' });
    expect(again.status).toBe(200);
    expect(again.body.expiresAt).toBe(first.body.expiresAt);
    const clash = await issue(id, { couponId, value: EUR(900), reason: 'goodwill' });
    expect(clash.status).toBe(409);
    expect((clash.body as unknown as { type: string }).type).toContain('coupon-id-reused');

    // strict input: no coercion, no zero value, closed body
    expect(
      (await issue(id, { value: { amountMinor: '500', currency: 'EUR' }, reason: 'goodwill' })).status,
    ).toBe(400);
    expect((await issue(id, { value: EUR(0), reason: 'goodwill' })).status).toBe(400);
    expect((await issue(id, { value: EUR(100), reason: 'goodwill', extra: 1 })).status).toBe(400);
    expect((await issue('nobody-here', { value: EUR(100), reason: 'goodwill' })).status).toBe(404);

    const own = client(h.svc.url, await h.issuer.customer(id));
    const list = await own.get<{ items: CouponBody[]; nextCursor: string | null }>(
      `/v1/customers/${id}/coupons`,
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.couponId)).toEqual([couponId]);
    // a customer may not issue, nor read another customer's wallet
    expect(
      (await own.post(`/v1/customers/${id}/coupons`, { value: EUR(100), reason: 'goodwill' })).status,
    ).toBe(403);
    const other = await newCustomer();
    expect(
      (await client(h.svc.url, await h.issuer.customer(other)).get(`/v1/customers/${id}/coupons`)).status,
    ).toBe(403);
    expect((await own.get(`/v1/customers/${id}/coupons?cursor=forged`)).status).toBe(400);

    const audit = await h.ops.get<{ items: Array<{ action: string; details: { couponId?: string } }> }>(
      `/v1/audit?targetId=${id}`,
    );
    expect(
      audit.body.items.filter((a) => a.action === 'customer.coupon.issue').map((a) => a.details.couponId),
    ).toEqual([couponId]);
    await waitFor(() => h.eventsOf(CouponIssued.type, id).length === 1 || undefined, {
      what: 'CouponIssued',
    });
  });

  it('the same coupon redeemed by 20 concurrent orders → exactly one; that order again is idempotent; released on cancel', async () => {
    const id = await newCustomer();
    const couponId = `c20-${uniq()}`;
    expect((await issue(id, { couponId, value: EUR(700), reason: 'promotion' })).status).toBe(201);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        h.grpc.redeemCoupon({ customerId: id, couponId, orderId: `order-${i}`, currency: 'EUR' }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as AppError).status).toBe(422);
    const winner = (won[0] as PromiseFulfilledResult<{ redeemedForOrderId: string }>).value
      .redeemedForOrderId;
    const replay = await h.grpc.redeemCoupon({ customerId: id, couponId, orderId: winner, currency: 'EUR' });
    expect(replay).toMatchObject({ status: 'redeemed', redeemedForOrderId: winner, value: EUR(700) });
    await waitFor(() => h.eventsOf(CouponRedeemed.type, id).length >= 1 || undefined, {
      what: 'CouponRedeemed',
    });
    expect(h.eventsOf(CouponRedeemed.type, id)).toHaveLength(1);

    // someone else's coupon does not exist for them; another currency cannot pay
    const other = await newCustomer();
    expect(
      (await failure(h.grpc.redeemCoupon({ customerId: other, couponId, orderId: 'x', currency: 'EUR' })))
        .status,
    ).toBe(404);

    // a release by an order that did not spend it changes nothing; the spender's release frees it (twice = once)
    expect((await h.grpc.releaseCoupon({ customerId: id, couponId, orderId: 'order-none' })).status).toBe(
      'redeemed',
    );
    expect((await h.grpc.releaseCoupon({ customerId: id, couponId, orderId: winner })).status).toBe('active');
    expect((await h.grpc.releaseCoupon({ customerId: id, couponId, orderId: winner })).status).toBe('active');
    const next = await h.grpc.redeemCoupon({
      customerId: id,
      couponId,
      orderId: 'order-after',
      currency: 'EUR',
    });
    expect(next.redeemedForOrderId).toBe('order-after');
    expect(
      (
        await failure(
          h.grpc.redeemCoupon({ customerId: id, couponId: `usd-${uniq()}`, orderId: 'y', currency: 'EUR' }),
        )
      ).status,
    ).toBe(404);
  });

  it('expiry: an unspent coupon past its date expires once and cannot be spent', async () => {
    const id = await newCustomer();
    const couponId = `exp-${uniq()}`;
    await issue(id, { couponId, value: EUR(300), reason: 'goodwill', validDays: 1 });
    h.setNow(new Date(h.now().getTime() + 2 * 86_400_000));
    try {
      expect(await h.svc.expireCoupons()).toBeGreaterThanOrEqual(1);
      expect(await h.svc.expireCoupons()).toBe(0);
      const err = await failure(
        h.grpc.redeemCoupon({ customerId: id, couponId, orderId: 'late', currency: 'EUR' }),
      );
      expect(err.status).toBe(422);
      const list = await h.ops.get<{ items: CouponBody[] }>(`/v1/customers/${id}/coupons?status=expired`);
      expect(list.body.items.map((c) => c.couponId)).toEqual([couponId]);
      await waitFor(() => h.eventsOf(CouponExpired.type, id).length === 1 || undefined, {
        what: 'CouponExpired',
      });
    } finally {
      h.setNow(new Date(h.now().getTime() - 2 * 86_400_000));
    }
  });

  it('a late-delivery compensation with a coupon → one coupon in the wallet, however often the event comes', async () => {
    const id = await newCustomer();
    const orderId = `o-${uniq()}`;
    const data = {
      orderId,
      customerId: id,
      kind: 'redelivery' as const,
      amount: EUR(0),
      minutesLate: 75,
      coupon: { couponId: `late-redelivery-${orderId}`, value: EUR(500) },
    };
    const event = createEvent(OrderCompensated, { subject: orderId, data, source: '/omni/orders' });
    await h.bus.publish(OrderCompensated.topic, [toBusMessage(event)]);
    await h.bus.publish(OrderCompensated.topic, [toBusMessage(event)]); // redelivered
    const again = createEvent(OrderCompensated, { subject: orderId, data, source: '/omni/orders' });
    await h.bus.publish(OrderCompensated.topic, [toBusMessage(again)]); // announced again, new id
    await drainConsumer(h);
    const list = await h.ops.get<{ items: CouponBody[] }>(`/v1/customers/${id}/coupons`);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        couponId: `late-redelivery-${orderId}`,
        reason: 'late_delivery',
        value: EUR(500),
        status: 'active',
      }),
    ]);
    await waitFor(() => h.eventsOf(CouponIssued.type, id).length === 1 || undefined, {
      what: 'CouponIssued',
    });
  });
});
