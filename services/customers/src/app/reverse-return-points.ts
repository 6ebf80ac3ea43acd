import type { Session } from '@omni/store';
import { pointsForOrder } from '../domain/points';
import { resolveCustomer } from '../store/collections';
import type { CustomersContext } from './context';
import { takeBackPoints } from './record-store-sale';

export interface RefundedReturn {
  returnId: string;
  orderId: string;
  refund?: { amountMinor: number; currency: string };
}

export type ReversalOutcome =
  | { result: 'reversed'; customerId: string; points: number }
  | { result: 'pending' | 'already-counted' | 'nothing-to-reverse' };

/**
 * An online return was refunded: the points its order earned on the refunded amount come back
 * (at most what the order earned, never below a zero balance). Recorded first as a pending reversal
 * keyed by the return, so redelivery counts it once, and a refund that arrives before the order's
 * completion (they travel on different topics) is applied when the accrual lands.
 */
export async function reversePointsForReturn(
  ctx: CustomersContext,
  session: Session,
  ret: RefundedReturn,
): Promise<ReversalOutcome> {
  if (!ret.refund || ret.refund.amountMinor <= 0) return { result: 'nothing-to-reverse' };
  const id = `return:${ret.returnId}`;
  const existing = await ctx.collections.reversals.findById(id, { session });
  if (existing?.status === 'applied') return { result: 'already-counted' };
  if (!existing) {
    await ctx.collections.reversals.insertOne(
      { _id: id, orderId: ret.orderId, refund: ret.refund, status: 'pending', createdAt: ctx.clock().toISOString() },
      { session },
    );
  }
  const applied = await applyPendingReversals(ctx, session, ret.orderId);
  return applied ?? { result: 'pending' };
}

/**
 * Applies the pending reversals of an order once its accrual is known (called by the return handler
 * and after an accrual). Returns the last one applied, or null when the order has not earned yet.
 */
export async function applyPendingReversals(
  ctx: CustomersContext,
  session: Session,
  orderId: string,
): Promise<ReversalOutcome | null> {
  const ref = await ctx.collections.orders.findById(orderId, { session });
  if (!ref?.completedAt) return null;
  const pending = await ctx.collections.reversals.find({ orderId, status: 'pending' }, { session, sort: { _id: 1 } });
  let last: ReversalOutcome | null = null;
  let reversedSoFar = ref.pointsReversed ?? 0;
  for (const reversal of pending) {
    const at = ctx.clock().toISOString();
    const owner = await resolveCustomer(ctx.collections, ref.customerId, session);
    const due = Math.min(
      pointsForOrder(reversal.refund, ctx.policy.pointsPerMajorUnit),
      ref.pointsEarned - reversedSoFar,
    );
    const taken =
      owner && owner.doc.status === 'active'
        ? await takeBackPoints(ctx, session, {
            customerId: owner.doc._id,
            due,
            orderRef: { id: orderId, earned: ref.pointsEarned },
            entryId: `reversal:${reversal._id}`,
            note: `return ${reversal._id.slice('return:'.length)} refunded`,
            at,
          })
        : 0;
    reversedSoFar += Math.max(due, 0);
    await ctx.collections.reversals.updateOne(
      { _id: reversal._id, status: 'pending' },
      { $set: { status: 'applied', points: taken, appliedAt: at } },
      { session },
    );
    last = owner ? { result: 'reversed', customerId: owner.doc._id, points: taken } : { result: 'nothing-to-reverse' };
  }
  return last;
}
