import type { Collection, Doc } from '@omni/store';
import type { Logger } from 'pino';
import { WebhookError } from './webhook';

/**
 * A message kept in a service's store until it is sent (customer notifications): `pending` →
 * `sending` (claimed, for `leaseMs`) → `sent`, or back to `pending` with a backed-off
 * `nextAttemptAt`, or `failed` after `maxAttempts` or a permanent failure.
 */
export type OutboundDoc = Doc & { status: string; nextAttemptAt: string; attempts: number };

export interface OutboundDeliveryOptions {
  /** Sends per message before it is marked failed. Default 8. */
  maxAttempts?: number;
  /** Delay after the first failed send, doubled each time (capped at 1 h). Default 30 s. */
  retryBaseMs?: number;
  /** A claimed message whose sender died is retried after this. Default 5 min. */
  leaseMs?: number;
}

export type OutboundOutcome = 'sent' | 'failed' | 'retry';

/**
 * Sends the due messages of `collection` outside any transaction (sending is a network call),
 * claiming each with a conditional update first, so replicas never send one at the same time.
 * A {@link WebhookError} that is not retryable fails the message at once.
 */
export async function deliverOutbound<D extends OutboundDoc>(
  collection: Collection<D>,
  send: (message: D) => Promise<void>,
  opts: OutboundDeliveryOptions & {
    now: Date;
    clock: () => Date;
    log: Logger;
    /** Log line of a failed send. */
    what: string;
    onOutcome?: (message: D, outcome: OutboundOutcome) => void;
  },
): Promise<{ sent: number; failed: number; retrying: number }> {
  const { now } = opts;
  const maxAttempts = opts.maxAttempts ?? 8;
  const base = opts.retryBaseMs ?? 30_000;
  const lease = opts.leaseMs ?? 5 * 60_000;
  const result = { sent: 0, failed: 0, retrying: 0 };
  const due = await collection.find(
    { status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: now.toISOString() } },
    { limit: 200, sort: { nextAttemptAt: 1 } },
  );
  for (const candidate of due) {
    const claimed = await collection.findOneAndUpdate(
      { _id: candidate._id, status: candidate.status, nextAttemptAt: candidate.nextAttemptAt },
      {
        $set: { status: 'sending', nextAttemptAt: new Date(now.getTime() + lease).toISOString() },
        $inc: { attempts: 1 },
      },
    );
    if (!claimed) continue;
    try {
      await send(claimed);
      await collection.updateOne(
        { _id: claimed._id },
        { $set: { status: 'sent', sentAt: opts.clock().toISOString() }, $unset: { lastError: '' } },
      );
      opts.onOutcome?.(claimed, 'sent');
      result.sent++;
    } catch (err) {
      const permanent = err instanceof WebhookError && !err.retryable;
      const giveUp = permanent || claimed.attempts >= maxAttempts;
      const delay = Math.min(base * 2 ** (claimed.attempts - 1), 3_600_000);
      await collection.updateOne(
        { _id: claimed._id },
        {
          $set: {
            status: giveUp ? 'failed' : 'pending',
            nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
            lastError: (err as Error).message.slice(0, 500),
          },
        },
      );
      opts.onOutcome?.(claimed, giveUp ? 'failed' : 'retry');
      opts.log.warn(
        { notificationId: claimed._id, attempts: claimed.attempts, giveUp, err: (err as Error).message },
        opts.what,
      );
      if (giveUp) result.failed++;
      else result.retrying++;
    }
  }
  return result;
}
