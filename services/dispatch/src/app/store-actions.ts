import { ConflictError, NotFoundError } from '@omni/kit';
import { TransientTransactionError, type Session } from '@omni/store';
import { StoreRejected } from '@omni/contracts';
import { iso, type JobDoc } from '../store/collections';
import { nowMs, transact, type DispatchContext, type Effects } from './context';
import { changeRiderRoute, dropJob } from './rider-route';

/**
 * The store as fulfiller: it confirms each delivery job in time (or rejects it), says when the
 * parcel is ready, and takes back parcels that could not be delivered.
 */

async function storeJob(
  ctx: DispatchContext,
  session: Session,
  storeId: string,
  jobId: string,
): Promise<JobDoc> {
  const job = await ctx.collections.jobs.findById(jobId, { session });
  // Another store's job is "not found" for this store: no probing of other stores' orders.
  if (!job || job.storeId !== storeId) throw new NotFoundError('delivery job', jobId);
  return job;
}

function illegal(job: JobDoc, action: string): ConflictError {
  return new ConflictError('illegal-job-transition', `cannot ${action} a job that is ${job.status}`, {
    status: job.status,
  });
}

/**
 * Confirms the job. With `readyInMinutes` the search for a rider starts that long minus the lead
 * time from now; without it, when the store marks the parcel ready.
 */
export async function confirmJob(
  ctx: DispatchContext,
  storeId: string,
  jobId: string,
  readyInMinutes?: number,
): Promise<JobDoc> {
  const { result, fx } = await transact(ctx, async (session, fx) => {
    const job = await storeJob(ctx, session, storeId, jobId);
    if (job.status !== 'awaiting_store') throw illegal(job, 'confirm');
    const now = nowMs(ctx);
    const readyAt = readyInMinutes !== undefined ? now + readyInMinutes * 60_000 : null;
    const searchFrom = readyAt !== null ? readyAt - ctx.settings.readyLeadMs : null;
    const searchNow = searchFrom !== null && searchFrom <= now;
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: 'awaiting_store' },
      {
        $set: {
          status: searchNow ? 'searching' : 'confirmed',
          storeConfirmedAt: iso(now),
          readyAt: readyAt !== null ? iso(readyAt) : null,
          searchFrom: searchFrom !== null ? iso(searchFrom) : null,
          nextSearchAt: searchNow ? iso(now) : null,
          updatedAt: iso(now),
        },
      },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    if (searchNow) fx.dispatchJob(jobId);
    return updated;
  });
  await ctx.afterCommit(fx);
  return result;
}

/** The store cannot fulfil the job: orders re-routes the order to another store. */
export async function rejectJob(
  ctx: DispatchContext,
  storeId: string,
  jobId: string,
  reason: string,
): Promise<JobDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const job = await storeJob(ctx, session, storeId, jobId);
    if (!['awaiting_store', 'confirmed', 'searching', 'offered'].includes(job.status))
      throw illegal(job, 'reject');
    return markRejected(ctx, session, fx, job, reason, false);
  });
  return result;
}

export async function markRejected(
  ctx: DispatchContext,
  session: Session,
  fx: Effects,
  job: JobDoc,
  reason: string,
  timedOut: boolean,
): Promise<JobDoc> {
  const at = iso(nowMs(ctx));
  const updated = await ctx.collections.jobs.findOneAndUpdate(
    { _id: job._id, status: job.status },
    {
      $set: {
        status: 'store_rejected',
        rejection: { reason, timedOut, at },
        offer: null,
        nextSearchAt: null,
        updatedAt: at,
      },
    },
    { session },
  );
  if (!updated) throw new TransientTransactionError();
  if (job.status === 'offered' && job.offer) {
    const rider = await ctx.collections.riders.findOneAndUpdate(
      { _id: job.offer.riderId, 'offer.jobId': job._id },
      { $set: { offer: null, updatedAt: at }, $inc: { version: 1 } },
      { session },
    );
    fx.rider(rider);
    fx.pushTo(job.offer.riderId, { type: 'offer.withdrawn', jobId: job._id, reason: 'store-rejected' });
  }
  await ctx.events.publish(session, StoreRejected, {
    subject: job.orderId,
    data: { jobId: job._id, orderId: job.orderId, storeId: job.storeId, reason, timedOut },
  });
  ctx.metrics.storeRejections.inc({ timedOut: String(timedOut) });
  return updated;
}

/**
 * The parcel is ready. A job not yet searching starts now (marking ready also confirms a job the
 * store had not confirmed yet); the assigned rider is told.
 */
export async function markReady(ctx: DispatchContext, storeId: string, jobId: string): Promise<JobDoc> {
  const { result, fx } = await transact(ctx, async (session, fx) => {
    const job = await storeJob(ctx, session, storeId, jobId);
    if (job.ready) return job; // repeated scan of the same parcel: nothing changes
    if (!['awaiting_store', 'confirmed', 'searching', 'offered', 'assigned'].includes(job.status))
      throw illegal(job, 'mark ready');
    const now = nowMs(ctx);
    const startsSearch = job.status === 'awaiting_store' || job.status === 'confirmed';
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: job.status, ready: false },
      {
        $set: {
          ready: true,
          readyAt: iso(now),
          ...(job.storeConfirmedAt ? {} : { storeConfirmedAt: iso(now) }),
          ...(startsSearch ? { status: 'searching', nextSearchAt: iso(now) } : {}),
          updatedAt: iso(now),
        },
      },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    if (startsSearch) fx.dispatchJob(jobId);
    if (job.status === 'assigned' && job.riderId) {
      const rider = await changeRiderRoute(ctx, session, job.riderId, (doc) => ({
        jobs: doc.jobs.map((j) => (j.jobId === jobId ? { ...j, readyAt: iso(now) } : j)),
        plan: doc.plan,
      }));
      fx.rider(rider);
      fx.pushTo(job.riderId, { type: 'job.ready', jobId });
    }
    return updated;
  });
  await ctx.afterCommit(fx);
  return result;
}

/** The rider brought back a parcel that could not be delivered; the rider is free of it. */
export async function receiveReturn(ctx: DispatchContext, storeId: string, jobId: string): Promise<JobDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const job = await storeJob(ctx, session, storeId, jobId);
    if (job.status !== 'returning') throw illegal(job, 'receive back');
    const at = iso(nowMs(ctx));
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: 'returning' },
      { $set: { status: 'returned', returnedAt: at, updatedAt: at } },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    if (job.riderId)
      fx.rider(await changeRiderRoute(ctx, session, job.riderId, (doc) => dropJob(doc, jobId)));
    return updated;
  });
  return result;
}

/** Jobs the store did not confirm in time count as rejected (timedOut). Returns how many. */
export async function expireStoreConfirmations(ctx: DispatchContext, now: number): Promise<number> {
  const due = await ctx.collections.jobs.find(
    { status: 'awaiting_store', storeConfirmBy: { $lte: iso(now) } },
    { limit: 500 },
  );
  let expired = 0;
  for (const candidate of due) {
    await transact(ctx, async (session, fx) => {
      const job = await ctx.collections.jobs.findById(candidate._id, { session });
      if (!job || job.status !== 'awaiting_store' || job.storeConfirmBy > iso(now)) return;
      await markRejected(ctx, session, fx, job, 'store-confirm-timeout', true);
      expired++;
    });
  }
  return expired;
}
