import { ConflictError, NotFoundError, UnprocessableError } from '@omni/kit';
import { TransientTransactionError, type Session } from '@omni/store';
import { DeliveryDelivered, DeliveryFailed, DeliveryLate, DeliveryPickedUp } from '@omni/contracts';
import { distanceMeters, type GeoPoint } from '../domain/geo';
import { minutesLate } from '../domain/job';
import type { Money } from '../domain/cash';
import { iso, ms, type JobDoc } from '../store/collections';
import { nowMs, transact, type DispatchContext } from './context';
import { changeRiderRoute, dropJob, returnJob } from './rider-route';

/** A job of this rider, or 404: another rider's job is indistinguishable from no job. */
export async function ridersJob(
  ctx: DispatchContext,
  riderId: string,
  jobId: string,
  session?: Session,
): Promise<JobDoc> {
  const job = await ctx.collections.jobs.findById(jobId, session ? { session } : {});
  if (!job || job.riderId !== riderId) throw new NotFoundError('delivery job', jobId);
  return job;
}

function illegal(job: JobDoc, action: string): ConflictError {
  return new ConflictError('illegal-job-transition', `cannot ${action} a job that is ${job.status}`, {
    status: job.status,
  });
}

/** The rider scans the parcel label at the store: out for delivery. */
export async function pickUpParcel(
  ctx: DispatchContext,
  riderId: string,
  jobId: string,
  parcelCode: string,
): Promise<JobDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const job = await ridersJob(ctx, riderId, jobId, session);
    if (job.status === 'picked_up' || job.status === 'en_route') return job;
    if (job.status !== 'assigned') throw illegal(job, 'pick up');
    if (parcelCode.trim().toUpperCase() !== job.parcelCode) {
      throw new UnprocessableError('wrong-parcel-code', 'this is not the parcel of this job');
    }
    const at = iso(nowMs(ctx));
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: 'assigned', riderId },
      { $set: { status: 'picked_up', pickedUpAt: at, ready: true, updatedAt: at } },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    const rider = await changeRiderRoute(ctx, session, riderId, (doc) => ({
      jobs: doc.jobs.map((j) => (j.jobId === jobId ? { ...j, pickedUp: true } : j)),
      plan: doc.plan.filter((s) => !(s.jobId === jobId && s.kind === 'pickup')),
    }));
    fx.rider(rider);
    await ctx.events.publish(session, DeliveryPickedUp, {
      subject: job.orderId,
      data: { jobId, orderId: job.orderId, storeId: job.storeId, riderId, at },
    });
    return updated;
  });
  return result;
}

/** The rider sets off to the customer (shown on the tracking page). */
export async function startEnRoute(ctx: DispatchContext, riderId: string, jobId: string): Promise<JobDoc> {
  const job = await ridersJob(ctx, riderId, jobId);
  if (job.status === 'en_route') return job;
  if (job.status !== 'picked_up') throw illegal(job, 'set off with');
  const at = iso(nowMs(ctx));
  const updated = await ctx.collections.jobs.findOneAndUpdate(
    { _id: jobId, status: 'picked_up', riderId },
    { $set: { status: 'en_route', enRouteAt: at, updatedAt: at } },
  );
  if (!updated) throw illegal((await ctx.collections.jobs.findById(jobId)) ?? job, 'set off with');
  return updated;
}

export type Proof = { kind: 'code'; code: string } | { kind: 'photo'; photoUrl: string; geo: GeoPoint };

/**
 * Delivered, with proof: the customer's code, or a photo taken within `podRadiusM` of the door.
 * A wrong code is counted (and the count kept even though the request fails) and locks code proof
 * after `podMaxCodeAttempts`. Cash-on-delivery orders need the amount collected.
 */
export async function deliverParcel(
  ctx: DispatchContext,
  riderId: string,
  jobId: string,
  proof: Proof,
  codCollected?: Money,
): Promise<JobDoc> {
  const job = await ridersJob(ctx, riderId, jobId);
  if (job.status !== 'picked_up' && job.status !== 'en_route') throw illegal(job, 'deliver');
  if (job.cod && !codCollected)
    throw new UnprocessableError(
      'cod-amount-required',
      'this order is cash on delivery: say how much was collected',
      { amountDue: job.cod.amountDue },
    );
  if (!job.cod && codCollected)
    throw new UnprocessableError('not-cash-on-delivery', 'this order is prepaid: no cash is collected');
  if (job.cod && codCollected && codCollected.currency !== job.cod.amountDue.currency) {
    throw new UnprocessableError(
      'cod-currency-mismatch',
      `cash is collected in ${job.cod.amountDue.currency}`,
      { amountDue: job.cod.amountDue },
    );
  }

  let proofRecord: JobDoc['proof'];
  if (proof.kind === 'code') {
    const max = ctx.settings.podMaxCodeAttempts;
    if (job.podAttempts >= max)
      throw new UnprocessableError(
        'delivery-code-locked',
        'too many wrong codes: prove delivery with a photo',
        { attempts: job.podAttempts, attemptsLeft: 0 },
      );
    if (proof.code.trim() !== job.deliveryCode) {
      const counted = await ctx.collections.jobs.findOneAndUpdate(
        { _id: jobId, podAttempts: { $lt: max } },
        { $inc: { podAttempts: 1 } },
      );
      const attempts = counted?.podAttempts ?? max;
      throw new UnprocessableError('wrong-delivery-code', 'the delivery code does not match', {
        attempts,
        attemptsLeft: Math.max(0, max - attempts),
      });
    }
    proofRecord = { kind: 'code' };
  } else {
    const distanceM = Math.round(distanceMeters(proof.geo, job.destination));
    if (distanceM > ctx.settings.podRadiusM) {
      throw new UnprocessableError(
        'too-far-from-destination',
        `the photo was taken ${distanceM} m from the address`,
        { distanceM, maxDistanceM: ctx.settings.podRadiusM },
      );
    }
    proofRecord = { kind: 'photo', photoUrl: proof.photoUrl, distanceM };
  }

  const { result } = await transact(ctx, async (session, fx) => {
    const now = nowMs(ctx);
    const at = iso(now);
    const late = minutesLate(ms(job.promisedAt), now);
    const notifyLate = late > 0 && !job.lateNotifiedAt;
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: { $in: ['picked_up', 'en_route'] }, riderId },
      {
        $set: {
          status: 'delivered',
          deliveredAt: at,
          proof: proofRecord,
          codCollected: codCollected ?? null,
          updatedAt: at,
          ...(notifyLate ? { lateNotifiedAt: at, minutesLate: late } : {}),
        },
      },
      { session },
    );
    if (!updated) throw illegal((await ctx.collections.jobs.findById(jobId, { session })) ?? job, 'deliver');
    fx.rider(await changeRiderRoute(ctx, session, riderId, (doc) => dropJob(doc, jobId)));
    const ref = { jobId, orderId: job.orderId, storeId: job.storeId };
    await ctx.events.publish(session, DeliveryDelivered, {
      subject: job.orderId,
      data: { ...ref, riderId, at, proof: proofRecord.kind, ...(codCollected ? { codCollected } : {}) },
    });
    if (notifyLate)
      await ctx.events.publish(session, DeliveryLate, {
        subject: job.orderId,
        data: { ...ref, promisedAt: job.promisedAt, minutesLate: late },
      });
    return updated;
  });
  ctx.metrics.deliveries.inc({ outcome: 'delivered' });
  return result;
}

/** Nobody home, wrong address, refused...: the parcel goes back to the store. */
export async function failDelivery(
  ctx: DispatchContext,
  riderId: string,
  jobId: string,
  reason: string,
): Promise<JobDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const job = await ridersJob(ctx, riderId, jobId, session);
    if (job.status !== 'picked_up' && job.status !== 'en_route') throw illegal(job, 'fail');
    const at = iso(nowMs(ctx));
    const updated = await ctx.collections.jobs.findOneAndUpdate(
      { _id: jobId, status: job.status, riderId },
      { $set: { status: 'returning', failure: { reason, at }, updatedAt: at } },
      { session },
    );
    if (!updated) throw new TransientTransactionError();
    fx.rider(await changeRiderRoute(ctx, session, riderId, (doc) => returnJob(doc, jobId)));
    await ctx.events.publish(session, DeliveryFailed, {
      subject: job.orderId,
      data: { jobId, orderId: job.orderId, storeId: job.storeId, riderId, reason },
    });
    return updated;
  });
  ctx.metrics.deliveries.inc({ outcome: 'failed' });
  return result;
}
