import { PickupTaskExpired } from '@omni/contracts';
import type { PickupContext } from './context';
import { closeTask, taskRef } from './task-writes';

const BATCH = 200;

/**
 * No-shows: ready tasks whose hold has ended become `expired` (code released) and orders is told, so
 * the reservation is released and the stock goes back on sale. One transaction per task; a task
 * collected in the meantime is simply skipped (the state guard). Returns how many expired.
 */
export async function expireNoShows(ctx: PickupContext, now: Date): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await ctx.collections.tasks.find(
      { state: 'ready', holdUntil: { $lte: now.toISOString() } },
      { limit: BATCH, sort: { holdUntil: 1 } },
    );
    for (const candidate of due) {
      const done = await ctx.store.withTransaction(async (session) => {
        const task = await ctx.collections.tasks.findOne(
          { _id: candidate._id, state: 'ready', holdUntil: { $lte: now.toISOString() } },
          { session },
        );
        if (!task) return false;
        const after = await closeTask(
          ctx,
          session,
          task,
          'expire',
          'expired',
          'not collected within the hold period',
        );
        if (!after) return false;
        await ctx.events.publish(session, PickupTaskExpired, {
          subject: after.orderId,
          data: taskRef(after),
        });
        return true;
      });
      if (done) expired++;
    }
    if (due.length < BATCH) return expired;
  }
}
