import { statusOf } from '../../clients/upstreams';
import { withAttention } from '../../domain/order-changes';
import { pointsForRefund } from '../../domain/policy';
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

/**
 * Return: the points the refunded money earned are taken back (after-sales returns path only; the
 * customers service's own return handling, if any, is separate). Runs once per return, only for an
 * order whose completion accrued points; a customer who already spent them keeps them and ops are
 * told (attention), rather than the refund waiting forever.
 */
export const reverseEarnedPoints: Step = {
  name: 'reverse_earned_points',
  when: (o) => {
    const ret = o.returns.find((r) => r.returnId === o.saga?.params.returnId);
    return !!o.customerId && !!o.completedAt && !!ret && ret.pointsReversed === undefined;
  },
  async run(ctx, o) {
    const ret = o.returns.find((r) => r.returnId === o.saga?.params.returnId)!;
    const points = pointsForRefund(
      ret.refund ?? { amountMinor: 0, currency: o.currency },
      ctx.policy.pointsEarnedPerMajorUnit,
    );
    const mark =
      (n: number): Reducer =>
      (x) => ({
        ...x,
        returns: x.returns.map((r) => (r.returnId === ret.returnId ? { ...r, pointsReversed: n } : r)),
      });
    if (points <= 0) return mark(0);
    try {
      await ctx.upstreams.customers.redeemPoints(
        {
          customerId: o.customerId!,
          points,
          orderId: o._id,
          operationId: `${ret.returnId}:reverse-earned-points`,
        },
        { deadlineMs: ctx.remainingMs() },
      );
    } catch (err) {
      if (statusOf(err) !== 422) throw err;
      const at = ctx.clock().toISOString();
      return (x) =>
        withAttention(
          mark(0)(x),
          'points-not-reversed',
          `return ${ret.returnId}: ${points} earned points could not be taken back (already spent)`,
          at,
        );
    }
    return mark(points);
  },
};
