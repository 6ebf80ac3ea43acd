import { ConflictError } from '@omni/kit';
import { LocationStatusChanged } from '@omni/contracts';
import { isDuplicateKeyError, newId } from '@omni/store';
import type {
  Address,
  Capability,
  GeoPoint,
  LocationDoc,
  LocationStatus,
  LocationType,
  OpeningWindow,
} from '../domain/types';
import { auditMeta, type Audited, type InventoryContext } from './context';
import { unknownLocation } from './errors';
import { inTransaction } from './transaction';

export interface LocationInput {
  /** A store's id is used everywhere (pickup queues, staff token claims); generated when absent. */
  id?: string;
  name: string;
  type: LocationType;
  address: Address;
  geo: GeoPoint;
  openingHours?: OpeningWindow[];
  capabilities: Capability[];
  status?: LocationStatus;
}

export type LocationPatch = Partial<
  Pick<LocationInput, 'name' | 'address' | 'geo' | 'openingHours' | 'capabilities'>
>;

/** Which SKUs have stock records at a location: their channel availability changes with it. */
async function skusAt(ctx: InventoryContext, locationId: string): Promise<string[]> {
  const levels = await ctx.collections.levels.find({ locationId }, { projection: { sku: 1 } });
  return levels.map((l) => l.sku);
}

export async function createLocation(
  ctx: InventoryContext,
  input: LocationInput,
  who: Audited,
): Promise<LocationDoc> {
  const now = ctx.clock().toISOString();
  const location: LocationDoc = {
    _id: input.id ?? newId(),
    name: input.name,
    type: input.type,
    address: input.address,
    geo: input.geo,
    openingHours: input.openingHours ?? [],
    capabilities: [...new Set(input.capabilities)],
    status: input.status ?? 'active',
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  try {
    return await inTransaction(ctx, async (tx) => {
      await ctx.collections.locations.insertOne(location, { session: tx.session });
      await ctx.audit(
        { ...auditMeta(who), action: 'location.created', target: { type: 'location', id: location._id } },
        tx.session,
      );
      return location;
    });
  } catch (err) {
    if (isDuplicateKeyError(err))
      throw new ConflictError('location-exists', `location ${location._id} already exists`);
    throw err;
  }
}

export async function updateLocation(
  ctx: InventoryContext,
  id: string,
  patch: LocationPatch,
  who: Audited,
): Promise<LocationDoc> {
  const updated = await inTransaction(ctx, async (tx) => {
    const set: Record<string, unknown> = { ...patch, updatedAt: tx.nowIso };
    if (patch.capabilities) set.capabilities = [...new Set(patch.capabilities)];
    const doc = await ctx.collections.locations.findOneAndUpdate(
      { _id: id },
      { $set: set, $inc: { version: 1 } },
      { session: tx.session },
    );
    if (!doc) throw unknownLocation(id);
    await ctx.audit(
      {
        ...auditMeta(who),
        action: 'location.updated',
        target: { type: 'location', id },
        details: { fields: Object.keys(patch) },
      },
      tx.session,
    );
    return doc;
  });
  if (patch.capabilities) ctx.onAvailabilityTouched(await skusAt(ctx, id));
  return updated;
}

/** Pauses or re-activates a location: a paused one takes no reservations and counts for no channel. */
export async function setLocationStatus(
  ctx: InventoryContext,
  id: string,
  status: LocationStatus,
  reason: string | undefined,
  who: Audited,
): Promise<LocationDoc> {
  const { doc, changed } = await inTransaction(ctx, async (tx) => {
    const changedDoc = await ctx.collections.locations.findOneAndUpdate(
      { _id: id, status: { $ne: status } },
      {
        $set: { status, updatedAt: tx.nowIso, ...(reason ? { statusReason: reason } : {}) },
        $inc: { version: 1 },
      },
      { session: tx.session },
    );
    if (!changedDoc) {
      const current = await ctx.collections.locations.findById(id, { session: tx.session });
      if (!current) throw unknownLocation(id);
      return { doc: current, changed: false };
    }
    await tx.publish(LocationStatusChanged, id, { locationId: id, status, ...(reason ? { reason } : {}) });
    await ctx.audit(
      {
        ...auditMeta(who),
        action: `location.${status === 'paused' ? 'paused' : 'activated'}`,
        target: { type: 'location', id },
        details: { reason },
      },
      tx.session,
    );
    return { doc: changedDoc, changed: true };
  });
  if (changed) ctx.onAvailabilityTouched(await skusAt(ctx, id));
  return doc;
}

/** Only a location that holds and promises nothing may be deleted; its ledger stays. */
export async function deleteLocation(ctx: InventoryContext, id: string, who: Audited): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const { locations, levels, reservations } = ctx.collections;
    if (!(await locations.findById(id, { session: tx.session }))) throw unknownLocation(id);
    const stocked = await levels.findOne(
      { locationId: id, $or: [{ onHand: { $ne: 0 } }, { reserved: { $ne: 0 } }] },
      { session: tx.session },
    );
    const promised = await reservations.findOne(
      { locationId: id, status: 'active' },
      { session: tx.session },
    );
    if (stocked || promised) {
      throw new ConflictError(
        'location-has-stock',
        `location ${id} still holds stock or active reservations`,
      );
    }
    await locations.deleteOne({ _id: id }, { session: tx.session });
    await ctx.audit(
      { ...auditMeta(who), action: 'location.deleted', target: { type: 'location', id } },
      tx.session,
    );
  });
}
