import type { OrderDoc } from '../../domain/types';
import { StepFailure, type Reducer, type Step, type StepContext } from '../types';

/**
 * Purchase limits (issue 16 item 6): lines under a per-customer limit are claimed on the counters
 * before stock is reserved, with the order id as the claim — so a resumed step counts once — and
 * given back when placement fails later or the order is cancelled.
 */

const limitsOf = (o: OrderDoc) => o.purchaseLimits!;

async function releaseClaims(ctx: StepContext, o: OrderDoc): Promise<Reducer> {
  const l = limitsOf(o);
  await ctx.limits.release(l.customerId, o._id, o.createdAt, l.lines);
  return (x) => (x.purchaseLimits ? { ...x, purchaseLimits: { ...x.purchaseLimits, released: true } } : x);
}

export const claimPurchaseLimits: Step = {
  name: 'claim_purchase_limits',
  when: (o) => !!o.purchaseLimits && o.purchaseLimits.lines.length > 0,
  async run(ctx, o) {
    const l = limitsOf(o);
    const result = await ctx.limits.claim(l.customerId, o._id, o.createdAt, l.lines);
    if (!result.ok) {
      throw new StepFailure(
        'purchase-limit-exceeded',
        `${result.sku}: at most ${result.limit.qty} per customer per ${result.limit.period}, ${result.bought} already bought`,
      );
    }
    return (x) => (x.purchaseLimits ? { ...x, purchaseLimits: { ...x.purchaseLimits, claimed: true } } : x);
  },
  // Also after an attempt whose outcome is unknown: releasing a claim that is not there changes nothing.
  compensate: (ctx, o) => releaseClaims(ctx, o),
};

/** Cancel: the units were never bought, so they count no more. */
export const releasePurchaseLimits: Step = {
  name: 'release_purchase_limits',
  when: (o) => !!o.purchaseLimits && o.purchaseLimits.claimed && !o.purchaseLimits.released,
  run: (ctx, o) => releaseClaims(ctx, o),
};
