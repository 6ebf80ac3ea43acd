import { deliverOutbound, type OutboundDeliveryOptions } from '@omni/kit';
import type { Notifier } from '../notifications/port';
import type { PickupContext } from './context';

export interface DeliveryOptions extends OutboundDeliveryOptions {
  notifier: Notifier;
}

/**
 * Sends due notifications outside any transaction (the notifier is a network call), claiming each
 * first so two instances never send the same one at once. Failures back off; after maxAttempts, or a
 * permanent failure, the notification is marked failed (visible to ops in the store and the metric).
 */
export async function deliverNotifications(
  ctx: PickupContext,
  opts: DeliveryOptions,
  now: Date,
): Promise<{ sent: number; failed: number; retrying: number }> {
  return deliverOutbound(
    ctx.collections.notifications,
    (n) =>
      opts.notifier.send({
        id: n._id,
        kind: n.kind,
        orderId: n.orderId,
        taskId: n.taskId,
        storeId: n.storeId,
        ...(n.customerId !== undefined ? { customerId: n.customerId } : {}),
        holdUntil: n.holdUntil,
      }),
    {
      ...opts,
      now,
      clock: ctx.clock,
      log: ctx.log,
      what: 'customer notification not delivered',
      onOutcome: (n, outcome) => ctx.metrics.notifications.inc({ kind: n.kind, outcome }),
    },
  );
}
