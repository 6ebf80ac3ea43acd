import { ConflictError, NotFoundError } from '@omni/kit';
import { TransientTransactionError, type Session } from '@omni/store';
import { DeliveryAssigned } from '@omni/contracts';
import { bestInsertion, type RouteJob } from '../domain/route';
import { iso, ms, riderJobFromDoc, type JobDoc, type RiderJobDoc } from '../store/collections';
import { nowMs, transact, type DispatchContext, type Effects } from './context';
import { changeRiderRoute } from './rider-route';

/** The offer the rider holds for this job, or 404 (someone else's job looks like no job at all). */
async function offeredJob(
  ctx: DispatchContext,
  session: Session,
  riderId: string,
  jobId: string,
): Promise<JobDoc> {
  const job = await ctx.collections.jobs.findById(jobId, { session });
  if (!job || (job.offer?.riderId !== riderId && job.riderId !== riderId))
    throw new NotFoundError('offer', jobId);
  return job;
}

/**
 * The rider takes the job: it joins their route where it costs least (recomputed on the rider's
 * current position and jobs), capacity is taken, `DeliveryAssigned` goes out. Accepting again is a
 * no-op; accepting a lapsed or withdrawn offer is 409.
 */
export async function acceptOffer(ctx: DispatchContext, riderId: string, jobId: string): Promise<JobDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const job = await offeredJob(ctx, session, riderId, jobId);
    if (job.riderId === riderId && job.status !== 'offered') return job; // already accepted
    const now = nowMs(ctx);
    if (job.status !== 'offered' || !job.offer)
      throw new ConflictError('offer-not-open', `the offer is no longer open (job is ${job.status})`);
    if (ms(job.offer.expiresAt) <= now) throw new ConflictError('offer-expired', 'the offer has expired');

    let etaAt = ms(job.offer.etaAt);
    const rider = await changeRiderRoute(
      ctx,
      session,
      riderId,
      (doc) => {
        const entry: RiderJobDoc = {
          jobId,
          orderId: job.orderId,
          storeId: job.storeId,
          storeGeo: job.storeGeo!,
          destination: job.destination,
          promisedAt: job.promisedAt,
          readyAt: job.readyAt ?? iso(now),
          pickedUp: false,
          returning: false,
        };
        const jobs = new Map<string, RouteJob>(doc.jobs.map((j) => [j.jobId, riderJobFromDoc(j)]));
        const start = doc.location ?? job.storeGeo!;
        const ctxRoute = {
          model: ctx.settings.travel,
          vehicle: doc.vehicle,
          stopMs: ctx.settings.assignment.stopMs,
        };
        const insertion = bestInsertion(
          ctxRoute,
          start,
          now,
          doc.plan,
          jobs,
          riderJobFromDoc(entry),
          Infinity,
        );
        // Promises may have become unreachable since the offer (time passed): then go last.
        const plan = insertion?.stops ?? [
          ...doc.plan,
          { kind: 'pickup' as const, jobId },
          { kind: 'drop' as const, jobId },
        ];
        if (insertion) etaAt = insertion.dropAt;
        return { jobs: [...doc.jobs, entry], plan, set: { offer: null } };
      },
      { 'offer.jobId': jobId, freeSlots: { $gt: 0 } },
    );
    if (!rider) throw new ConflictError('offer-not-held', 'the rider does not hold this offer');
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: 'offered', 'offer.riderId': riderId },
      {
        $set: {
          status: 'assigned',
          riderId,
          shiftId: rider.shiftId,
          assignedAt: iso(now),
          etaAt: iso(etaAt),
          batched: job.offer.batched,
          offer: null,
          nextSearchAt: null,
          updatedAt: iso(now),
        },
      },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    await ctx.events.publish(session, DeliveryAssigned, {
      subject: job.orderId,
      data: {
        jobId,
        orderId: job.orderId,
        storeId: job.storeId,
        riderId,
        etaAt: iso(etaAt),
        batched: job.offer.batched,
      },
    });
    fx.rider(rider);
    return updated;
  });
  ctx.metrics.offers.inc({ outcome: 'accepted' });
  return result;
}

/** The rider says no: the job looks for the next rider at once and will not ask this one again. */
export async function declineOffer(ctx: DispatchContext, riderId: string, jobId: string): Promise<JobDoc> {
  const { result, fx } = await transact(ctx, async (session, fx) => {
    const job = await offeredJob(ctx, session, riderId, jobId);
    if (job.status !== 'offered' || job.offer?.riderId !== riderId)
      throw new ConflictError('offer-not-open', `the offer is no longer open (job is ${job.status})`);
    return releaseOffer(ctx, session, fx, job, 'declined');
  });
  ctx.metrics.offers.inc({ outcome: 'declined' });
  await ctx.afterCommit(fx);
  return result;
}

/** Offers nobody answered in time go to the next rider. Returns how many lapsed. */
export async function expireOffers(ctx: DispatchContext, now: number): Promise<number> {
  const due = await ctx.collections.jobs.find(
    { status: 'offered', 'offer.expiresAt': { $lte: iso(now) } },
    { limit: 500 },
  );
  let expired = 0;
  for (const candidate of due) {
    const { fx } = await transact(ctx, async (session, fx) => {
      const job = await ctx.collections.jobs.findById(candidate._id, { session });
      if (!job || job.status !== 'offered' || !job.offer || ms(job.offer.expiresAt) > now) return;
      await releaseOffer(ctx, session, fx, job, 'expired');
      expired++;
    });
    await ctx.afterCommit(fx);
  }
  if (expired > 0) ctx.metrics.offers.inc({ outcome: 'expired' }, expired);
  return expired;
}

async function releaseOffer(
  ctx: DispatchContext,
  session: Session,
  fx: Effects,
  job: JobDoc,
  why: 'declined' | 'expired',
): Promise<JobDoc> {
  const riderId = job.offer!.riderId;
  const at = iso(nowMs(ctx));
  const updated = await ctx.collections.jobs.findOneAndUpdate(
    { _id: job._id, status: 'offered', 'offer.riderId': riderId },
    {
      $set: { status: 'searching', offer: null, nextSearchAt: at, updatedAt: at },
      $addToSet: { excludedRiderIds: riderId },
    },
    { session },
  );
  if (!updated) throw new TransientTransactionError();
  const rider = await ctx.collections.riders.findOneAndUpdate(
    { _id: riderId, 'offer.jobId': job._id },
    { $set: { offer: null, updatedAt: at }, $inc: { version: 1 } },
    { session },
  );
  fx.rider(rider);
  if (why === 'expired') fx.pushTo(riderId, { type: 'offer.expired', jobId: job._id });
  fx.dispatchJob(job._id);
  return updated;
}
