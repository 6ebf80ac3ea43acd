import { NotFoundError } from '@omni/kit';
import { evaluateRoute, type RouteJob } from '../../domain/route';
import { travelMs } from '../../domain/travel';
import { WITH_RIDER } from '../../domain/job';
import { iso, ms, riderJobFromDoc, type JobDoc } from '../../store/collections';
import type { DispatchContext } from '../context';

/** The job of the order's current route attempt (older attempts were re-routed away). */
export async function currentJobOfOrder(ctx: DispatchContext, orderId: string): Promise<JobDoc> {
  const [job] = await ctx.collections.jobs.find({ orderId }, { sort: { routeAttempt: -1 }, limit: 1 });
  if (!job) throw new NotFoundError('delivery of order', orderId);
  return job;
}

/**
 * Live tracking for the customer: status, where the rider is, and an ETA recomputed from the
 * rider's current position along their remaining stops (other parcels before this one included).
 */
export async function trackOrder(ctx: DispatchContext, job: JobDoc, now: number) {
  let etaAt: string | null = job.etaAt;
  let rider: {
    name: string;
    vehicle: string;
    location: { lat: number; lng: number } | null;
    locationAt: string | null;
  } | null = null;

  if (job.status === 'delivered') etaAt = job.deliveredAt;
  else if (WITH_RIDER.includes(job.status) && job.riderId) {
    const doc = await ctx.collections.riders.findById(job.riderId);
    if (doc) {
      rider = { name: doc.name, vehicle: doc.vehicle, location: doc.location, locationAt: doc.locationAt };
      if (doc.location && job.status !== 'returning') {
        const jobs = new Map<string, RouteJob>(doc.jobs.map((j) => [j.jobId, riderJobFromDoc(j)]));
        const route = evaluateRoute(
          { model: ctx.settings.travel, vehicle: doc.vehicle, stopMs: ctx.settings.assignment.stopMs },
          doc.location,
          now,
          doc.plan,
          jobs,
        );
        const drop = route.dropAt.get(job._id);
        if (drop !== undefined) etaAt = iso(drop);
      }
    }
  } else if (['awaiting_store', 'confirmed', 'searching', 'offered'].includes(job.status) && job.storeGeo) {
    // No rider yet: when the parcel is ready, plus the trip with the zone's reference vehicle.
    const readyAt = Math.max(now, job.readyAt ? ms(job.readyAt) : now);
    const trip = travelMs(ctx.settings.travel, 'scooter', job.storeGeo, job.destination);
    etaAt = iso(readyAt + ctx.settings.assignment.stopMs + trip);
  } else etaAt = null;

  const late =
    job.status === 'delivered' ? (job.minutesLate ?? 0) > 0 : etaAt !== null && etaAt > job.promisedAt;
  return {
    orderId: job.orderId,
    jobId: job._id,
    status: job.status,
    promisedAt: job.promisedAt,
    etaAt,
    late,
    rider,
    deliveredAt: job.deliveredAt,
  };
}
