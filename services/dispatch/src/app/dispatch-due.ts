import { iso } from '../store/collections';
import type { DispatchContext } from './context';
import { dispatchJob, type DispatchOutcome } from './dispatch-job';

/**
 * Starts the search of confirmed jobs whose ready time (minus the lead) has come, and searches
 * again for jobs whose backoff after "no rider" or whose released offer made them due.
 */
export async function dispatchDue(ctx: DispatchContext, now: number): Promise<DispatchOutcome[]> {
  const at = iso(now);
  const starting = await ctx.collections.jobs.find(
    { status: 'confirmed', searchFrom: { $lte: at } },
    { limit: 500 },
  );
  for (const job of starting) {
    await ctx.collections.jobs.updateOne(
      { _id: job._id, status: 'confirmed' },
      { $set: { status: 'searching', nextSearchAt: at, updatedAt: at } },
    );
  }
  const due = await ctx.collections.jobs.find(
    { status: 'searching', nextSearchAt: { $lte: at } },
    { sort: { nextSearchAt: 1 }, limit: 500 },
  );
  const outcomes: DispatchOutcome[] = [];
  for (const job of due) outcomes.push(await dispatchJob(ctx, job._id, now));
  return outcomes;
}
