import { statusOf } from '../../clients/upstreams';
import type { OrderDoc } from '../../domain/types';
import { StepFailure, type Reducer, type Step, type StepContext } from '../types';

/** Points steps; operation ids `<orderId>:redeem` and `<orderId>:refund-points` make them idempotent. */

const redeemOp = (orderId: string): string => `${orderId}:redeem`;
const refundOp = (orderId: string): string => `${orderId}:refund-points`;

async function redeem(ctx: StepContext, o: OrderDoc): Promise<void> {
  await ctx.upstreams.customers.redeemPoints(
    { customerId: o.customerId!, points: o.points!.requested, orderId: o._id, operationId: redeemOp(o._id) },
    { deadlineMs: ctx.remainingMs() },
  );
}

async function refundPointsOf(ctx: StepContext, o: OrderDoc): Promise<Reducer> {
  await ctx.upstreams.customers.refundPoints(
    { customerId: o.customerId!, points: o.points!.requested, orderId: o._id, operationId: refundOp(o._id) },
    { deadlineMs: ctx.remainingMs() },
  );
  return (x) => (x.points ? { ...x, points: { ...x.points, refunded: true } } : x);
}

export const redeemPoints: Step = {
  name: 'redeem_points',
  when: (o) => !!o.points && o.points.requested > 0 && !!o.customerId,
  async run(ctx, o) {
    try {
      await redeem(ctx, o);
    } catch (err) {
      if (statusOf(err) === 422)
        throw new StepFailure(
          'insufficient-points',
          `customer ${o.customerId} has fewer than ${o.points!.requested} points`,
        );
      throw err;
    }
    return (x) => (x.points ? { ...x, points: { ...x.points, redeemed: true } } : x);
  },
  async compensate(ctx, o) {
    const p = o.points!;
    if (p.refunded) return;
    if (!p.redeemed) {
      if (ctx.failure?.step === 'redeem_points' && ctx.failure.code === 'insufficient-points') return;
      // Outcome unknown (the redeem attempt timed out): replaying the idempotent redeem tells whether it
      // happened — it returns the first result, or applies now — and the refund below then evens it out.
      try {
        await redeem(ctx, o);
      } catch (err) {
        if (statusOf(err) === 422) return; // never redeemed and cannot be now: nothing to give back
        throw err;
      }
    }
    return refundPointsOf(ctx, o);
  },
};

/** Cancel: points spent on the order come back. */
export const refundPoints: Step = {
  name: 'refund_points',
  when: (o) => !!o.points && o.points.redeemed && !o.points.refunded && !!o.customerId,
  run: (ctx, o) => refundPointsOf(ctx, o),
};
