import type { Session } from '@omni/store';
import { pointsForOrder } from '../domain/points';
import { resolveCustomer } from '../store/collections';
import { applyPointsChange } from './points-ledger';
import type { CustomersContext } from './context';

export interface CompletedOrder {
  orderId: string;
  customerId?: string;
  channel: string;
  total: { amountMinor: number; currency: string };
  completedAt: string;
}

export type AccrualOutcome =
  | { result: 'accrued'; customerId: string; points: number }
  | { result: 'no-points'; customerId: string }
  | { result: 'already-counted' | 'guest-order' | 'unknown-customer' | 'customer-erased' };

/**
 * Points for a completed order (online or in store), inside the event handler's transaction.
 * Counted once per order whatever the redelivery (ledger entry `accrual:<orderId>`), credited to
 * the survivor when the customer was merged, and skipped — never thrown — for guests, unknown and
 * erased customers, so a stale or odd event cannot block the consumer.
 * The lot is earned at `completedAt` (so an event that arrives late does not extend validity).
 */
export async function accruePointsForOrder(ctx: CustomersContext, session: Session, order: CompletedOrder): Promise<AccrualOutcome> {
  if (!order.customerId) return { result: 'guest-order' };
  const { collections: db } = ctx;
  const entryId = `accrual:${order.orderId}`;
  if (await db.ledger.findById(entryId, { session })) return { result: 'already-counted' };
  const resolved = await resolveCustomer(db, order.customerId, session);
  if (!resolved) return { result: 'unknown-customer' };
  if (resolved.doc.status === 'erased') return { result: 'customer-erased' };
  const customerId = resolved.doc._id;
  const at = ctx.clock().toISOString();
  const points = pointsForOrder(order.total, ctx.policy.pointsPerMajorUnit);

  const ref = await db.orders.findOneAndUpdate(
    { _id: order.orderId },
    {
      $setOnInsert: { customerId, pointsRedeemed: 0, pointsRefunded: 0, refundable: 0, createdAt: at },
      $set: { channel: order.channel, total: order.total, completedAt: order.completedAt, pointsEarned: points, updatedAt: at },
    },
    { session, upsert: true },
  );
  if (ref && ref.customerId !== customerId) {
    // The order was first seen under a record that has since been merged into this one.
    const owner = await resolveCustomer(db, ref.customerId, session);
    if (owner?.doc._id === customerId) await db.orders.updateOne({ _id: order.orderId }, { $set: { customerId } }, { session });
  }
  if (points === 0) return { result: 'no-points', customerId };

  const after = await applyPointsChange(ctx, session, {
    entryId,
    customerId,
    kind: 'accrual',
    reason: 'accrual',
    delta: points,
    lifetimeDelta: points,
    at,
    earnedAt: order.completedAt,
    orderId: order.orderId,
  });
  if (!after) throw new Error(`customer ${customerId} is not active`); // resolved as active above, same transaction
  return { result: 'accrued', customerId, points };
}
