import { TransientTransactionError, type Session } from '@omni/store';
import { VOIDABLE } from '../domain/job';
import { iso, type JobDoc } from '../store/collections';
import { nowMs, type DispatchContext, type Effects } from './context';
import { changeRiderRoute, dropJob, returnJob } from './rider-route';

/**
 * The order moved to another store or was cancelled: the job stops. Before pickup it simply ends
 * (a pending offer is withdrawn, an assigned rider is freed); after pickup the parcel has to go back
 * to the store, so the job turns into a return. Anything already delivered or ended stays as it is.
 */
export async function voidDeliveryJob(
  ctx: DispatchContext,
  session: Session,
  fx: Effects,
  job: JobDoc,
  reason: string,
): Promise<boolean> {
  if (!VOIDABLE.includes(job.status)) return false;
  const at = iso(nowMs(ctx));
  const carried = job.status === 'picked_up' || job.status === 'en_route';
  const updated = await ctx.collections.jobs.findOneAndUpdate(
    { _id: job._id, status: job.status },
    {
      $set: {
        status: carried ? 'returning' : 'cancelled',
        voided: { reason, at },
        offer: null,
        nextSearchAt: null,
        ...(carried ? { failure: { reason: `order ${reason}`, at } } : {}),
        updatedAt: at,
      },
    },
    { session },
  );
  if (!updated) throw new TransientTransactionError(`job ${job._id} changed concurrently`);

  if (job.status === 'offered' && job.offer) {
    const rider = await ctx.collections.riders.findOneAndUpdate(
      { _id: job.offer.riderId, 'offer.jobId': job._id },
      { $set: { offer: null, updatedAt: at }, $inc: { version: 1 } },
      { session },
    );
    fx.rider(rider);
    fx.pushTo(job.offer.riderId, { type: 'offer.withdrawn', jobId: job._id, reason });
  } else if (job.riderId && (job.status === 'assigned' || carried)) {
    const rider = await changeRiderRoute(ctx, session, job.riderId, (doc) =>
      carried ? returnJob(doc, job._id) : dropJob(doc, job._id),
    );
    fx.rider(rider);
    fx.pushTo(job.riderId, { type: 'job.cancelled', jobId: job._id, reason, returnToStore: carried });
  }
  return true;
}
