import { isDuplicateKeyError } from '@omni/store';
import { ConflictError, UnprocessableError } from '@omni/kit';
import { resolveCustomer } from '../store/collections';
import { applyPointsChange } from './points-ledger';
import { pointsHolder, replayIfDone, validateOperation, type PointsBalance, type PointsOperation } from './redeem-points';
import type { CustomersContext } from './context';

/**
 * Gives back points spent on an order (cancelled or refunded). At most what was redeemed for that
 * order minus what was already refunded (guarded counter on the order reference), so a refund can
 * never mint points. The refunded points form a new lot with a fresh validity period.
 */
export async function refundPoints(ctx: CustomersContext, op: PointsOperation): Promise<PointsBalance> {
  validateOperation(op);
  const entryId = `refund:${op.operationId}`;
  try {
    return await ctx.store.withTransaction(async (session) => {
      const replay = await replayIfDone(ctx, entryId, op, session);
      if (replay) return replay;
      const holder = await pointsHolder(ctx, session, op.customerId);
      const at = ctx.clock().toISOString();
      const ref = await ctx.collections.orders.findOneAndUpdate(
        { _id: op.orderId, refundable: { $gte: op.points } },
        { $inc: { refundable: -op.points, pointsRefunded: op.points }, $set: { updatedAt: at } },
        { session },
      );
      if (!ref) {
        const current = await ctx.collections.orders.findById(op.orderId, { session });
        throw new UnprocessableError(
          'refund-exceeds-redeemed',
          `${op.points} points to refund, but order ${op.orderId} has ${current?.refundable ?? 0} redeemed points left to refund`,
          { refundable: current?.refundable ?? 0, requested: op.points },
        );
      }
      const owner = await resolveCustomer(ctx.collections, ref.customerId, session);
      if (owner?.doc._id !== holder._id) {
        throw new ConflictError('order-of-another-customer', `order ${op.orderId} belongs to another customer`);
      }
      const after = await applyPointsChange(ctx, session, {
        entryId,
        customerId: holder._id,
        kind: 'refund',
        reason: 'refund',
        delta: op.points,
        at,
        orderId: op.orderId,
        operationId: op.operationId,
      });
      return { customerId: holder._id, points: after!.points };
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) {
      const replay = await replayIfDone(ctx, entryId, op);
      if (replay) return replay;
    }
    throw err;
  }
}
