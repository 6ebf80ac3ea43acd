import { DeliveryLate } from '@omni/contracts';
import { minutesLate, SLA_ACTIVE } from '../domain/job';
import { iso, ms } from '../store/collections';
import { transact, type DispatchContext } from './context';

/**
 * Jobs past their promised time and not delivered yet: `DeliveryLate` once per job, with the
 * minutes late at detection (a delivery found late only when delivered reports it then, with the
 * final figure). Orders applies the compensation policy. Returns how many were reported.
 */
export async function checkSla(ctx: DispatchContext, now: number): Promise<number> {
  const due = await ctx.collections.jobs.find(
    { status: { $in: [...SLA_ACTIVE] }, lateNotifiedAt: null, promisedAt: { $lt: iso(now) } },
    { limit: 1000 },
  );
  let reported = 0;
  for (const candidate of due) {
    await transact(ctx, async (session) => {
      const late = minutesLate(ms(candidate.promisedAt), now);
      const job = await ctx.collections.jobs.findOneAndUpdate(
        { _id: candidate._id, status: { $in: [...SLA_ACTIVE] }, lateNotifiedAt: null },
        { $set: { lateNotifiedAt: iso(now), minutesLate: late } },
        { session },
      );
      if (!job) return;
      await ctx.events.publish(session, DeliveryLate, {
        subject: job.orderId,
        data: {
          jobId: job._id,
          orderId: job.orderId,
          storeId: job.storeId,
          promisedAt: job.promisedAt,
          minutesLate: late,
        },
      });
      reported++;
    });
  }
  if (reported > 0) ctx.metrics.late.inc(reported);
  return reported;
}
