import { TooManyRequestsError } from '@omni/kit';
import type { VouchersContext } from './context';

/**
 * The brute-force brake on code look-ups. Every look-up first takes an attempt slot of its counter
 * (store + account) and of its store in the current window, by one conditional increment each, so
 * however many requests race, no more than the limit are looked up; a look-up that finds its voucher
 * gives its slots back. What stays counted are the failures.
 */
export interface AttemptSlot {
  /** The code was found: the attempt does not count. */
  succeeded(): Promise<void>;
}

export async function takeAttempt(
  ctx: VouchersContext,
  storeId: string,
  clerk: string,
): Promise<AttemptSlot> {
  const { windowMs, counterFailures, storeFailures } = ctx.throttle;
  const now = ctx.clock().getTime();
  const window = Math.floor(now / windowMs);
  const until = new Date((window + 1) * windowMs).toISOString();
  const retryAfter = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
  const keys = [
    { id: `counter:${storeId}:${clerk}:${window}`, limit: counterFailures, scope: 'counter' },
    { id: `store:${storeId}:${window}`, limit: storeFailures, scope: 'store' },
  ];
  const taken: string[] = [];
  const giveBack = async () => {
    for (const id of taken) await ctx.collections.throttle.updateOne({ _id: id }, { $inc: { failures: -1 } });
  };
  for (const k of keys) {
    await ctx.collections.throttle.updateOne(
      { _id: k.id },
      { $setOnInsert: { failures: 0, until } },
      { upsert: true },
    );
    const slot = await ctx.collections.throttle.findOneAndUpdate(
      { _id: k.id, failures: { $lt: k.limit } },
      { $inc: { failures: 1 } },
    );
    if (!slot) {
      await giveBack();
      ctx.metrics.lockouts.inc({ scope: k.scope });
      throw new TooManyRequestsError(
        k.scope === 'counter'
          ? `too many unknown voucher codes at this counter; try again in ${retryAfter} s`
          : `too many unknown voucher codes at store ${storeId}; try again in ${retryAfter} s`,
        retryAfter,
        'voucher-lookups-throttled',
      );
    }
    taken.push(k.id);
  }
  return { succeeded: giveBack };
}

/** Old windows are dead weight: dropped by the sweep. */
export async function dropOldWindows(ctx: VouchersContext, now: Date): Promise<number> {
  return ctx.collections.throttle.deleteMany({ until: { $lt: now.toISOString() } });
}
