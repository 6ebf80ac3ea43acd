import { DeliveryZoneChanged } from '@omni/contracts';
import { BadRequestError, ConflictError, NotFoundError, type FieldError } from '@omni/kit';
import { isDuplicateKeyError, newId, type Session } from '@omni/store';
import { validateArea, type AreaGeometry, type GeoPoint } from '../domain/geo';
import type { Vehicle } from '../domain/travel';
import { DEFAULT_MAX_TRIP_MINUTES, DEFAULT_SLOT_CAPACITY, DEFAULT_SLOT_MINUTES } from '../domain/zone';
import { iso, type ZoneDoc } from '../store/collections';
import { nowMs, type DispatchContext } from './context';

export interface ZoneInput {
  id?: string;
  city: string;
  name: string;
  area: AreaGeometry;
  stores: Array<{ storeId: string; geo: GeoPoint }>;
  maxTripMinutes?: number;
  referenceVehicle?: Vehicle;
  slotMinutes?: number;
  slotCapacity?: number;
  active?: boolean;
}

import type { Actor } from '@omni/kit';
export type { Actor };

function checkZone(input: ZoneInput): void {
  const errors: FieldError[] = validateArea(input.area).map((p) => ({
    field: `body/area${p.path}`,
    message: p.message,
  }));
  const seen = new Set<string>();
  input.stores.forEach((s, i) => {
    if (seen.has(s.storeId)) errors.push({ field: `body/stores/${i}/storeId`, message: 'listed twice' });
    seen.add(s.storeId);
  });
  if (errors.length > 0) throw new BadRequestError('The zone is not valid', errors, 'invalid-zone');
}

export async function createZone(ctx: DispatchContext, actor: Actor, input: ZoneInput): Promise<ZoneDoc> {
  checkZone(input);
  const at = iso(nowMs(ctx));
  const doc: ZoneDoc = {
    _id: input.id ?? newId(),
    city: input.city,
    name: input.name,
    area: input.area,
    stores: input.stores,
    maxTripMinutes: input.maxTripMinutes ?? DEFAULT_MAX_TRIP_MINUTES,
    referenceVehicle: input.referenceVehicle ?? 'scooter',
    slotMinutes: input.slotMinutes ?? DEFAULT_SLOT_MINUTES,
    slotCapacity: input.slotCapacity ?? DEFAULT_SLOT_CAPACITY,
    active: input.active ?? true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await ctx.store.withTransaction(async (session) => {
      await ctx.collections.zones.insertOne(doc, { session });
      await publishZone(ctx, session, doc, false);
      await ctx.audit.record(
        {
          actor,
          action: 'dispatch.zone.created',
          target: { type: 'zone', id: doc._id },
          details: { city: doc.city, stores: doc.stores.map((s) => s.storeId) },
        },
        session,
      );
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError('zone-exists', `zone ${doc._id} already exists`);
    throw err;
  }
  await ctx.zones.reload();
  return doc;
}

/** Replaces a zone; `expectedVersion` (If-Match) guards against overwriting someone else's edit. */
export async function replaceZone(
  ctx: DispatchContext,
  actor: Actor,
  id: string,
  input: ZoneInput,
  expectedVersion?: number,
): Promise<ZoneDoc> {
  checkZone(input);
  const updated = await ctx.store.withTransaction(async (session) => {
    const filter: Record<string, unknown> = { _id: id };
    if (expectedVersion !== undefined) filter.version = expectedVersion;
    const doc = await ctx.collections.zones.findOneAndUpdate(
      filter,
      {
        $set: {
          city: input.city,
          name: input.name,
          area: input.area,
          stores: input.stores,
          maxTripMinutes: input.maxTripMinutes ?? DEFAULT_MAX_TRIP_MINUTES,
          referenceVehicle: input.referenceVehicle ?? 'scooter',
          slotMinutes: input.slotMinutes ?? DEFAULT_SLOT_MINUTES,
          slotCapacity: input.slotCapacity ?? DEFAULT_SLOT_CAPACITY,
          active: input.active ?? true,
          updatedAt: iso(nowMs(ctx)),
        },
        $inc: { version: 1 },
      },
      { session },
    );
    if (!doc) {
      if (await ctx.collections.zones.findById(id, { session }))
        throw new ConflictError('zone-version-mismatch', `zone ${id} was changed by someone else`);
      throw new NotFoundError('zone', id);
    }
    await publishZone(ctx, session, doc, false);
    await ctx.audit.record(
      {
        actor,
        action: 'dispatch.zone.replaced',
        target: { type: 'zone', id },
        details: { version: doc.version },
      },
      session,
    );
    return doc;
  });
  await ctx.zones.reload();
  return updated;
}

export async function deleteZone(ctx: DispatchContext, actor: Actor, id: string): Promise<void> {
  await ctx.store.withTransaction(async (session) => {
    const doc = await ctx.collections.zones.findById(id, { session });
    const n = await ctx.collections.zones.deleteOne({ _id: id }, { session });
    if (n === 0 || !doc) throw new NotFoundError('zone', id);
    await publishZone(ctx, session, { ...doc, version: doc.version + 1 }, true);
    await ctx.audit.record({ actor, action: 'dispatch.zone.deleted', target: { type: 'zone', id } }, session);
  });
  await ctx.zones.reload();
}

/**
 * Every change of a zone is published with its whole state (in the same transaction, through the
 * outbox): orders projects zones to quote and place local delivery without calling dispatch.
 */
export async function publishZone(
  ctx: DispatchContext,
  session: Session,
  doc: ZoneDoc,
  deleted: boolean,
): Promise<void> {
  await ctx.events.publish(session, DeliveryZoneChanged, {
    subject: doc._id,
    data: {
      zoneId: doc._id,
      version: doc.version,
      deleted,
      city: doc.city,
      name: doc.name,
      area: doc.area,
      stores: doc.stores,
      active: doc.active,
      maxTripMinutes: doc.maxTripMinutes,
      travel: {
        speedKmh: ctx.settings.travel.speedsKmh[doc.referenceVehicle],
        detourFactor: ctx.settings.travel.detourFactor,
      },
      slotMinutes: doc.slotMinutes ?? DEFAULT_SLOT_MINUTES,
      slotCapacity: doc.slotCapacity ?? DEFAULT_SLOT_CAPACITY,
    },
  });
}

/** Publishes every zone's current state again (consumers keep the highest version they saw). */
export async function announceZones(ctx: DispatchContext): Promise<number> {
  const zones = await ctx.collections.zones.find({});
  for (const z of zones) await ctx.store.withTransaction((session) => publishZone(ctx, session, z, false));
  return zones.length;
}
