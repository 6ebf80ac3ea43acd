import type { EventData } from '@omni/events';
import type { OrderCancelled } from '@omni/contracts';
import { newId, type Session } from '@omni/store';
import type { VouchersContext } from './context';

/**
 * An order cancelled (orders refunds or voids its payment): its unused vouchers are void, and a later
 * or redelivered confirmation issues none. A voucher already redeemed cannot be taken back: that is a
 * conflict for ops (the customer consumed something now refunded).
 */
export async function voidOnCancel(
  ctx: VouchersContext,
  s: Session,
  data: EventData<typeof OrderCancelled>,
): Promise<number> {
  const c = ctx.collections;
  const now = ctx.clock().toISOString();
  await c.cancelledOrders.updateOne(
    { _id: data.orderId },
    { $setOnInsert: { cancelledAt: now } },
    { upsert: true, session: s },
  );
  let voided = 0;
  for (const v of await c.vouchers.find({ orderId: data.orderId }, { session: s })) {
    if (v.status !== 'active') continue;
    if (v.redemptions > 0) {
      await c.conflicts.insertOne(
        {
          _id: newId(),
          kind: 'order-cancelled-after-redemption',
          voucherId: v._id,
          orderId: v.orderId,
          detail: `order ${v.orderId} was cancelled (${data.reason}) after ${v.redemptions} redemption(s) of this voucher`,
          acceptedRedemptions: (await c.redemptions.find({ voucherId: v._id }, { session: s })).map(
            (r) => r._id,
          ),
          detectedAt: now,
          status: 'open',
        },
        { session: s },
      );
      ctx.metrics.conflicts.inc({ kind: 'order-cancelled-after-redemption' });
    }
    await c.vouchers.updateOne(
      { _id: v._id, version: v.version },
      { $set: { status: 'void', closedAt: now, version: v.version + 1 } },
      { session: s },
    );
    voided++;
  }
  return voided;
}
