import type { Notifier } from '../notifications/port';
import { WebhookError } from '../notifications/webhook-notifier';
import type { PickupContext } from './context';

export interface DeliveryOptions {
  notifier: Notifier;
  /** Sends per notification before it is marked failed. Default 8. */
  maxAttempts?: number;
  /** Delay after the first failed send, doubled each time (capped at 1 h). Default 30 s. */
  retryBaseMs?: number;
  /** A claimed notification whose sender died is retried after this. Default 5 min. */
  leaseMs?: number;
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
  const maxAttempts = opts.maxAttempts ?? 8;
  const base = opts.retryBaseMs ?? 30_000;
  const lease = opts.leaseMs ?? 5 * 60_000;
  const result = { sent: 0, failed: 0, retrying: 0 };
  const at = now.toISOString();
  const due = await ctx.collections.notifications.find(
    { status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: at } },
    { limit: 200, sort: { nextAttemptAt: 1 } },
  );
  for (const candidate of due) {
    const claimed = await ctx.collections.notifications.findOneAndUpdate(
      { _id: candidate._id, status: candidate.status, nextAttemptAt: candidate.nextAttemptAt },
      {
        $set: { status: 'sending', nextAttemptAt: new Date(now.getTime() + lease).toISOString() },
        $inc: { attempts: 1 },
      },
    );
    if (!claimed) continue;
    try {
      await opts.notifier.send({
        id: claimed._id,
        kind: claimed.kind,
        orderId: claimed.orderId,
        taskId: claimed.taskId,
        storeId: claimed.storeId,
        ...(claimed.customerId !== undefined ? { customerId: claimed.customerId } : {}),
        holdUntil: claimed.holdUntil,
      });
      await ctx.collections.notifications.updateOne(
        { _id: claimed._id },
        { $set: { status: 'sent', sentAt: ctx.clock().toISOString() }, $unset: { lastError: '' } },
      );
      ctx.metrics.notifications.inc({ kind: claimed.kind, outcome: 'sent' });
      result.sent++;
    } catch (err) {
      const permanent = err instanceof WebhookError && !err.retryable;
      const giveUp = permanent || claimed.attempts >= maxAttempts;
      const delay = Math.min(base * 2 ** (claimed.attempts - 1), 3600_000);
      await ctx.collections.notifications.updateOne(
        { _id: claimed._id },
        {
          $set: {
            status: giveUp ? 'failed' : 'pending',
            nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
            lastError: (err as Error).message.slice(0, 500),
          },
        },
      );
      ctx.metrics.notifications.inc({ kind: claimed.kind, outcome: giveUp ? 'failed' : 'retry' });
      ctx.log.warn(
        { notificationId: claimed._id, attempts: claimed.attempts, giveUp, err: (err as Error).message },
        'customer notification not delivered',
      );
      if (giveUp) result.failed++;
      else result.retrying++;
    }
  }
  return result;
}
