import { statusOf } from '../../clients/upstreams';
import { min, subtract } from '../../domain/money';
import type { Money, OrderDoc } from '../../domain/types';
import { StepFailure, type Reducer, type Step, type StepContext } from '../types';

/**
 * Wallet coupon steps. Customers keys redeem and release by (coupon, order), so replays after a crash
 * or a timeout repeat the first answer; 20 orders racing for one coupon get it once.
 */

async function redeem(ctx: StepContext, o: OrderDoc): Promise<Money> {
  const c = await ctx.upstreams.customers.redeemCoupon(
    { customerId: o.customerId!, couponId: o.coupon!.couponId, orderId: o._id, currency: o.currency },
    { deadlineMs: ctx.remainingMs() },
  );
  return { amountMinor: c.value?.amountMinor ?? 0, currency: c.value?.currency ?? o.currency };
}

async function release(ctx: StepContext, o: OrderDoc): Promise<Reducer> {
  try {
    await ctx.upstreams.customers.releaseCoupon(
      { customerId: o.customerId!, couponId: o.coupon!.couponId, orderId: o._id },
      { deadlineMs: ctx.remainingMs() },
    );
  } catch (err) {
    if (statusOf(err) !== 404) throw err; // a coupon that does not exist was never spent
  }
  return (x) => (x.coupon ? { ...x, coupon: { ...x.coupon, released: true } } : x);
}

/** Placement: spend the coupon; its value (at most the amount due) comes off what the card is charged. */
export const redeemCoupon: Step = {
  name: 'redeem_coupon',
  when: (o) => !!o.coupon && !o.coupon.redeemed && !!o.customerId,
  async run(ctx, o) {
    let value: Money;
    try {
      value = await redeem(ctx, o);
    } catch (err) {
      const status = statusOf(err);
      if (status === 404)
        throw new StepFailure('coupon-not-found', `no coupon ${o.coupon!.couponId} for this customer`);
      if (status === 422)
        throw new StepFailure('coupon-not-usable', `coupon ${o.coupon!.couponId} cannot pay for this order`);
      throw err;
    }
    return (x) => {
      const discount = min(value, x.amountDue);
      return {
        ...x,
        amountDue: subtract(x.amountDue, discount),
        coupon: { ...x.coupon!, redeemed: true, discount },
      };
    };
  },
  async compensate(ctx, o) {
    if (!o.coupon || o.coupon.released) return;
    if (ctx.failure?.step === 'redeem_coupon' && ctx.failure.code.startsWith('coupon-')) return;
    // Also after a timed-out redeem: release is keyed by the order and leaves another order's coupon alone.
    return release(ctx, o);
  },
};

/** Cancel: the coupon goes back to the wallet. */
export const releaseCoupon: Step = {
  name: 'release_coupon',
  when: (o) => !!o.coupon && o.coupon.redeemed && !o.coupon.released && !!o.customerId,
  run: (ctx, o) => release(ctx, o),
};
