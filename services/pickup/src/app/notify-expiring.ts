import type { PickupContext } from './context';
import { enqueueNotification } from './enqueue-notification';

/** Ready tasks entering the last hours of their hold: the customer is reminded, once per task. */
export async function notifyExpiring(ctx: PickupContext, now: Date): Promise<number> {
  const at = now.toISOString();
  const due = await ctx.collections.tasks.find(
    {
      state: 'ready',
      expiringAt: { $lte: at },
      holdUntil: { $gt: at },
      expiringNotifiedAt: { $exists: false },
    },
    { limit: 1000 },
  );
  let queued = 0;
  for (const candidate of due) {
    const marked = await ctx.store.withTransaction(async (session) => {
      const task = await ctx.collections.tasks.findOneAndUpdate(
        { _id: candidate._id, state: 'ready', expiringNotifiedAt: { $exists: false } },
        { $set: { expiringNotifiedAt: at } },
        { session },
      );
      if (!task) return false;
      await enqueueNotification(ctx, session, 'expiring', task);
      return true;
    });
    if (marked) queued++;
  }
  return queued;
}
