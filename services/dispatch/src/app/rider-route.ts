import { TransientTransactionError, type Session } from '@omni/store';
import type { Stop } from '../domain/route';
import { iso, type RiderDoc, type RiderJobDoc } from '../store/collections';
import { nowMs, type DispatchContext } from './context';

export interface RouteChange {
  jobs: RiderJobDoc[];
  plan: Stop[];
  /** Other fields to set in the same write (e.g. clearing the offer). */
  set?: Record<string, unknown>;
}

/**
 * Read-modify-write of a rider's jobs and plan inside the caller's transaction, guarded by
 * `routeVersion`: if another writer changed the route in between, the transaction is retried
 * from the start (TransientTransactionError), so the change is always computed on fresh state.
 * `extraFilter` adds conditions (e.g. the offer being for this job); not matching → null.
 */
export async function changeRiderRoute(
  ctx: DispatchContext,
  session: Session,
  riderId: string,
  change: (doc: RiderDoc) => RouteChange | null,
  extraFilter: Record<string, unknown> = {},
): Promise<RiderDoc | null> {
  const doc = await ctx.collections.riders.findOne({ _id: riderId, ...extraFilter }, { session });
  if (!doc) return null;
  const next = change(doc);
  if (!next) return null;
  const updated = await ctx.collections.riders.findOneAndUpdate(
    { _id: riderId, routeVersion: doc.routeVersion },
    {
      $set: {
        ...next.set,
        jobs: next.jobs,
        plan: next.plan,
        freeSlots: doc.capacity - next.jobs.length,
        updatedAt: iso(nowMs(ctx)),
      },
      $inc: { version: 1, routeVersion: 1 },
    },
    { session },
  );
  if (!updated) throw new TransientTransactionError(`rider ${riderId} route changed concurrently`);
  return updated;
}

/** The rider no longer holds the job (delivered, returned, cancelled before pickup). */
export function dropJob(doc: RiderDoc, jobId: string): RouteChange {
  return { jobs: doc.jobs.filter((j) => j.jobId !== jobId), plan: doc.plan.filter((s) => s.jobId !== jobId) };
}

/** The parcel goes back to the store: its remaining stops become one return stop. */
export function returnJob(doc: RiderDoc, jobId: string): RouteChange {
  const jobs = doc.jobs.map((j) => (j.jobId === jobId ? { ...j, returning: true } : j));
  const plan = doc.plan.filter((s) => s.jobId !== jobId);
  plan.push({ kind: 'return', jobId });
  return { jobs, plan };
}
