import { TransientTransactionError } from '@omni/store';
import { NoRiderAvailable } from '@omni/contracts';
import type { Candidate, JobToAssign } from '../domain/assignment';
import { searchBackoffMs } from '../domain/job';
import { assignmentPolicy } from '../settings';
import { iso, ms, riderStateFromDoc, type JobDoc } from '../store/collections';
import { nowMs, transact, type DispatchContext } from './context';
import { offerView } from './views';

export type DispatchOutcome =
  | { kind: 'offered'; riderId: string; candidate: Candidate }
  | { kind: 'no-rider'; attempts: number; nextSearchAt: string }
  | { kind: 'skipped'; reason: string };

export function jobToAssign(job: JobDoc, now: number): JobToAssign {
  return {
    jobId: job._id,
    storeId: job.storeId,
    storeGeo: job.storeGeo!,
    destination: job.destination,
    promisedAt: ms(job.promisedAt),
    readyAt: job.readyAt ? ms(job.readyAt) : now,
    ...(job.zoneId ? { zoneId: job.zoneId } : {}),
    excludedRiderIds: new Set(job.excludedRiderIds),
  };
}

/**
 * Offers a searching job to the best rider. Ranking runs on the in-memory board outside any
 * transaction; the offer itself is one transaction of two conditional updates — the rider must
 * still hold no offer and have room, the job must still be searching — so a rider never holds two
 * offers and a job is never offered twice, whatever runs concurrently. A rider the board thought
 * free but the store says is not is refreshed on the board and the next candidate is tried.
 */
export async function dispatchJob(
  ctx: DispatchContext,
  jobId: string,
  now = nowMs(ctx),
): Promise<DispatchOutcome> {
  const job = await ctx.collections.jobs.findById(jobId);
  if (!job || job.status !== 'searching') return { kind: 'skipped', reason: job ? job.status : 'not-found' };
  if (job.nextSearchAt && ms(job.nextSearchAt) > now) return { kind: 'skipped', reason: 'not-due' };
  if (!job.storeGeo) return { kind: 'skipped', reason: 'store-location-unknown' };

  const started = performance.now();
  const ranked = ctx.board.rank(jobToAssign(job, now), now, assignmentPolicy(ctx.settings));
  ctx.metrics.rankSeconds.observe((performance.now() - started) / 1000);

  for (const candidate of ranked) {
    const outcome = await offerTo(ctx, jobId, candidate, now);
    if (outcome === 'offered') return { kind: 'offered', riderId: candidate.riderId, candidate };
    if (outcome === 'job-gone') return { kind: 'skipped', reason: 'job-changed' };
    // The rider was not free after all: refresh the board's copy so it is not ranked again.
    const fresh = await ctx.collections.riders.findById(candidate.riderId);
    if (fresh) ctx.board.upsert(riderStateFromDoc(fresh));
  }
  return noRider(ctx, jobId, now);
}

async function offerTo(
  ctx: DispatchContext,
  jobId: string,
  candidate: Candidate,
  now: number,
): Promise<'offered' | 'rider-busy' | 'job-gone'> {
  const { result } = await transact(ctx, async (session, fx) => {
    const expiresAt = iso(now + ctx.settings.offerTimeoutMs);
    const rider = await ctx.collections.riders.findOneAndUpdate(
      { _id: candidate.riderId, offer: null, onDuty: true, freeSlots: { $gt: 0 } },
      { $set: { offer: { jobId, expiresAt }, updatedAt: iso(now) }, $inc: { version: 1 } },
      { session },
    );
    if (!rider) return 'rider-busy' as const;
    const job = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: 'searching' },
      {
        $set: {
          status: 'offered',
          offer: {
            riderId: candidate.riderId,
            offeredAt: iso(now),
            expiresAt,
            etaAt: iso(candidate.dropAt),
            batched: candidate.batched,
            late: candidate.late,
          },
          updatedAt: iso(now),
        },
        $inc: { offersMade: 1 },
      },
      { session },
    );
    // The job moved on (voided, rejected, offered by a concurrent search): undo the rider claim.
    if (!job) throw new JobGone();
    fx.rider(rider);
    fx.pushTo(candidate.riderId, { type: 'offer', offer: offerView(job)! });
    return 'offered' as const;
  }).catch((err: unknown) => {
    if (err instanceof JobGone) return { result: 'job-gone' as const };
    throw err;
  });
  if (result === 'offered') ctx.metrics.offers.inc({ outcome: 'made' });
  return result;
}

class JobGone extends Error {}

/** Nobody could take it: search again after a backoff; ops hear about it once it keeps happening. */
async function noRider(ctx: DispatchContext, jobId: string, now: number): Promise<DispatchOutcome> {
  ctx.metrics.noRider.inc();
  const { result } = await transact(ctx, async (session) => {
    const job = await ctx.collections.jobs.findOne({ _id: jobId, status: 'searching' }, { session });
    if (!job) return { kind: 'skipped', reason: 'job-changed' } as const;
    const attempts = job.searchAttempts + 1;
    const nextSearchAt = iso(
      now + searchBackoffMs(attempts, ctx.settings.searchBackoffMs, ctx.settings.searchBackoffMaxMs),
    );
    const alert = attempts >= ctx.settings.noRiderAlertAfter && !job.noRiderAlerted;
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: 'searching', searchAttempts: job.searchAttempts },
      {
        $set: {
          searchAttempts: attempts,
          nextSearchAt,
          updatedAt: iso(now),
          ...(alert ? { noRiderAlerted: true } : {}),
        },
      },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    if (alert) {
      await ctx.events.publish(session, NoRiderAvailable, {
        subject: job.orderId,
        data: { jobId, orderId: job.orderId, storeId: job.storeId, attempts },
      });
      ctx.log.warn(
        { jobId, orderId: job.orderId, storeId: job.storeId, attempts },
        'no rider available for delivery job',
      );
    }
    return { kind: 'no-rider', attempts, nextSearchAt } as const;
  });
  return result;
}
