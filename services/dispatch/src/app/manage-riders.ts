import { ConflictError, NotFoundError } from '@omni/kit';
import { isDuplicateKeyError, newId } from '@omni/store';
import type { Vehicle } from '../domain/travel';
import { iso, riderStateFromDoc, type RiderDoc } from '../store/collections';
import { nowMs, transact, type DispatchContext } from './context';
import type { Actor } from './manage-zones';

export interface RiderRegistration {
  /** The rider id tokens carry (`riderId` claim); generated when absent. */
  id?: string;
  name: string;
  vehicle: Vehicle;
  capacity: number;
  zoneId?: string;
}

export function newRiderDoc(input: RiderRegistration, at: string): RiderDoc {
  return {
    _id: input.id ?? newId(),
    name: input.name,
    vehicle: input.vehicle,
    capacity: input.capacity,
    zoneId: input.zoneId ?? null,
    onDuty: false,
    shiftId: null,
    location: null,
    locationAt: null,
    jobs: [],
    freeSlots: input.capacity,
    plan: [],
    offer: null,
    version: 1,
    routeVersion: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/** Ops registers a rider (vehicle, capacity, home zone). */
export async function registerRider(
  ctx: DispatchContext,
  actor: Actor,
  input: RiderRegistration,
): Promise<RiderDoc> {
  const doc = newRiderDoc(input, iso(nowMs(ctx)));
  try {
    await transact(ctx, async (session, fx) => {
      await ctx.collections.riders.insertOne(doc, { session });
      await ctx.audit.record(
        {
          actor,
          action: 'dispatch.rider.registered',
          target: { type: 'rider', id: doc._id },
          details: { vehicle: doc.vehicle, capacity: doc.capacity, zoneId: doc.zoneId },
        },
        session,
      );
      fx.rider(doc);
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError('rider-exists', `rider ${doc._id} already exists`);
    throw err;
  }
  return doc;
}

export interface RiderChange {
  name?: string;
  vehicle?: Vehicle;
  capacity?: number;
  zoneId?: string | null;
}

/**
 * Ops changes a rider. Capacity may go below what the rider holds (they finish those jobs and get
 * no new ones until below it again): `freeSlots` is recomputed from the jobs held.
 */
export async function updateRider(
  ctx: DispatchContext,
  actor: Actor,
  riderId: string,
  change: RiderChange,
): Promise<RiderDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const current = await ctx.collections.riders.findById(riderId, { session });
    if (!current) throw new NotFoundError('rider', riderId);
    const capacity = change.capacity ?? current.capacity;
    const doc = await ctx.collections.riders.findOneAndUpdate(
      { _id: riderId, routeVersion: current.routeVersion },
      {
        $set: {
          ...(change.name !== undefined ? { name: change.name } : {}),
          ...(change.vehicle !== undefined ? { vehicle: change.vehicle } : {}),
          ...(change.zoneId !== undefined ? { zoneId: change.zoneId } : {}),
          capacity,
          freeSlots: capacity - current.jobs.length,
          updatedAt: iso(nowMs(ctx)),
        },
        $inc: { version: 1 },
      },
      { session },
    );
    if (!doc) throw new ConflictError('rider-changed', 'the rider changed meanwhile; retry');
    await ctx.audit.record(
      {
        actor,
        action: 'dispatch.rider.updated',
        target: { type: 'rider', id: riderId },
        details: { ...change },
      },
      session,
    );
    fx.rider(doc);
    return doc;
  });
  return result;
}

/** The rider starts a shift: on duty, offered work once their location is fresh. */
export async function startShift(ctx: DispatchContext, riderId: string): Promise<RiderDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const at = iso(nowMs(ctx));
    const shiftId = newId();
    const doc = await ctx.collections.riders.findOneAndUpdate(
      { _id: riderId, onDuty: false },
      { $set: { onDuty: true, shiftId, updatedAt: at }, $inc: { version: 1 } },
      { session },
    );
    if (!doc) {
      if (!(await ctx.collections.riders.findById(riderId, { session })))
        throw new NotFoundError('rider', riderId);
      throw new ConflictError('shift-already-started', 'the rider is already on duty');
    }
    await ctx.collections.shifts.insertOne(
      { _id: shiftId, riderId, startedAt: at, endedAt: null },
      { session },
    );
    fx.rider(doc);
    return doc;
  });
  return result;
}

/** The rider ends the shift; not while holding jobs or an offer (finish or decline them first). */
export async function endShift(ctx: DispatchContext, riderId: string): Promise<RiderDoc> {
  const { result } = await transact(ctx, async (session, fx) => {
    const at = iso(nowMs(ctx));
    const doc = await ctx.collections.riders.findOneAndUpdate(
      { _id: riderId, onDuty: true, jobs: { $size: 0 }, offer: null },
      { $set: { onDuty: false, updatedAt: at }, $inc: { version: 1 } },
      { session },
    );
    if (!doc) {
      const current = await ctx.collections.riders.findById(riderId, { session });
      if (!current) throw new NotFoundError('rider', riderId);
      if (!current.onDuty) throw new ConflictError('not-on-duty', 'the rider is not on duty');
      throw new ConflictError(
        'rider-busy',
        'finish your deliveries and answer your offer before ending the shift',
        {
          jobIds: current.jobs.map((j) => j.jobId),
          offer: current.offer,
        },
      );
    }
    if (doc.shiftId)
      await ctx.collections.shifts.updateOne({ _id: doc.shiftId }, { $set: { endedAt: at } }, { session });
    fx.rider(doc);
    return doc;
  });
  return result;
}

/** Location fix from the rider's phone (HTTP or WebSocket): moves them in the spatial board. */
export async function updateLocation(
  ctx: DispatchContext,
  riderId: string,
  point: { lat: number; lng: number },
): Promise<RiderDoc> {
  const at = iso(nowMs(ctx));
  const doc = await ctx.collections.riders.findOneAndUpdate(
    { _id: riderId },
    {
      $set: { location: { lat: point.lat, lng: point.lng }, locationAt: at, updatedAt: at },
      $inc: { version: 1 },
    },
  );
  if (!doc) throw new NotFoundError('rider', riderId);
  ctx.board.upsert(riderStateFromDoc(doc));
  return doc;
}
