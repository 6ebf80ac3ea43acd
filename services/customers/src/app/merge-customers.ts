import type { Session } from '@omni/store';
import { newId, TransientTransactionError } from '@omni/store';
import { BadRequestError, ConflictError, NotFoundError } from '@omni/kit';
import { CustomerMerged, PointsChanged } from '@omni/contracts';
import { chooseSurvivor, mergeAddresses, mergeConsents, type CustomerDoc } from '../domain/customer';
import { maxLevel } from '../domain/points';
import { resolveCustomer, type MergeDoc } from '../store/collections';
import { applyLevel } from './points-ledger';
import type { Actor, CustomersContext } from './context';

export interface MergeRequest {
  customerIds: [string, string];
  /** Which record survives; default the older one. May be either id (or a record merged into one). */
  survivorId?: string;
  trigger: MergeDoc['trigger'];
  reason?: string;
  actor: Actor;
}

export interface MergeOutcome {
  mergeId: string;
  survivorId: string;
  mergedId: string;
  /** True when the two ids already were one customer (nothing changed). */
  alreadyMerged: boolean;
}

/** Merges two customers in its own transaction (manual merges by ops). */
export function mergeCustomers(ctx: CustomersContext, req: MergeRequest): Promise<MergeOutcome> {
  if (req.customerIds[0] === req.customerIds[1]) {
    throw new BadRequestError('Merging needs two different customer ids', [{ field: 'body/customerIds', message: 'must differ' }]);
  }
  return ctx.store.withTransaction((session) => mergeInSession(ctx, session, req));
}

/**
 * Merges inside the caller's transaction (also used by the automatic verified-phone trigger).
 *
 * Both ids are first resolved to their live survivors, which is what makes merges idempotent and
 * cycle-free: merging twice, or merging ids that were already merged, finds one live record and
 * changes nothing; A→B and B→A racing each other are serialised by the store (the embedded store
 * runs transactions one at a time; on MongoDB both write both records, so one aborts with a write
 * conflict, is retried, and then finds them already merged).
 *
 * What moves to the survivor: identities, points (the lots keep their expiry dates), lifetime
 * points, the higher level, addresses (duplicates dropped), consents (most restrictive wins — see
 * mergeConsents), order references. The merged record becomes a tombstone pointing to the
 * survivor; older tombstones that pointed to it are re-pointed, so every chain has one hop.
 */
export async function mergeInSession(ctx: CustomersContext, session: Session, req: MergeRequest): Promise<MergeOutcome> {
  const { collections: db } = ctx;
  const [idA, idB] = req.customerIds;
  // One operation at a time: a MongoDB transaction does not support parallel operations on its session.
  const a = await resolveCustomer(db, idA, session);
  const b = await resolveCustomer(db, idB, session);
  if (!a) throw new NotFoundError('customer', idA);
  if (!b) throw new NotFoundError('customer', idB);

  if (a.doc._id === b.doc._id) {
    const previous = await db.merges.findOne({ mergedId: { $in: [idA, idB] } }, { session, sort: { at: -1 } });
    return {
      mergeId: previous?._id ?? '',
      survivorId: a.doc._id,
      mergedId: previous?.mergedId ?? (idA === a.doc._id ? idB : idA),
      alreadyMerged: true,
    };
  }
  for (const r of [a, b]) {
    if (r.doc.status === 'erased') throw new ConflictError('customer-erased', `customer ${r.doc._id} was erased and cannot be merged`);
  }

  let explicit: string | undefined;
  if (req.survivorId !== undefined) {
    const s = await resolveCustomer(db, req.survivorId, session);
    if (!s || (s.doc._id !== a.doc._id && s.doc._id !== b.doc._id)) {
      throw new BadRequestError('survivorId must be one of the two customers', [{ field: 'body/survivorId', message: 'not one of customerIds' }]);
    }
    explicit = s.doc._id;
  }
  const { survivor, merged } = chooseSurvivor(a.doc, b.doc, explicit);
  const at = ctx.clock().toISOString();
  const mergeId = newId();

  // The tombstone: personal data moved to the survivor; the balance check guards against a
  // concurrent points change between our read and this write (MongoDB; the embedded store is serial).
  const tombstone = await db.customers.findOneAndUpdate(
    { _id: merged._id, status: 'active', points: merged.points, lifetimePoints: merged.lifetimePoints },
    {
      $set: { status: 'merged', mergedInto: survivor._id, mergeId, mergedAt: at, updatedAt: at, name: '', addresses: [], points: 0 },
    },
    { session },
  );
  if (!tombstone) throw new TransientTransactionError(`customer ${merged._id} changed during the merge`);

  const addresses = mergeAddresses(survivor.addresses, merged.addresses);
  const afterSurvivor = await db.customers.findOneAndUpdate(
    { _id: survivor._id, status: 'active' },
    {
      $set: {
        name: survivor.name || merged.name,
        addresses,
        consents: mergeConsents(survivor.consents, merged.consents),
        level: maxLevel(ctx.policy.levels, survivor.level, merged.level),
        updatedAt: at,
      },
      $inc: { points: merged.points, lifetimePoints: merged.lifetimePoints },
    },
    { session },
  );
  if (!afterSurvivor) throw new TransientTransactionError(`customer ${survivor._id} changed during the merge`);

  const repoint = { $set: { customerId: survivor._id } };
  const identities = await db.identities.updateMany({ customerId: merged._id }, repoint, { session });
  const orders = await db.orders.updateMany({ customerId: merged._id }, repoint, { session });
  await db.lots.updateMany({ customerId: merged._id }, repoint, { session });
  // Chains stay one hop long: whatever pointed to the merged record now points to the survivor.
  await db.customers.updateMany({ mergedInto: merged._id }, { $set: { mergedInto: survivor._id } }, { session });

  if (merged.points !== 0) await recordPointsMove(ctx, session, { merged, survivorAfter: afterSurvivor, mergeId, at });

  const moved = {
    points: merged.points,
    lifetimePoints: merged.lifetimePoints,
    identities: identities.modifiedCount,
    addresses: addresses.length - survivor.addresses.length,
    orders: orders.modifiedCount,
  };
  const record: MergeDoc = {
    _id: mergeId,
    survivorId: survivor._id,
    mergedId: merged._id,
    trigger: req.trigger,
    ...(req.reason ? { reason: req.reason } : {}),
    actor: { sub: req.actor.sub, role: req.actor.role },
    at,
    moved,
  };
  await db.merges.insertOne(record, { session });
  await applyLevel(ctx, session, afterSurvivor, at);
  await ctx.events.publish(session, CustomerMerged, {
    subject: merged._id,
    data: { survivorId: survivor._id, mergedId: merged._id, mergeId },
  });
  await ctx.audit.record(
    {
      actor: req.actor,
      action: 'customer.merge',
      target: { type: 'customer', id: survivor._id },
      details: { mergeId, mergedId: merged._id, trigger: req.trigger, ...(req.reason ? { reason: req.reason } : {}), moved },
    },
    session,
  );
  ctx.metrics?.merges.inc({ trigger: req.trigger });
  return { mergeId, survivorId: survivor._id, mergedId: merged._id, alreadyMerged: false };
}

/** Two ledger entries (out of the merged record, into the survivor) so both balances stay derivable. */
async function recordPointsMove(
  ctx: CustomersContext,
  session: Session,
  m: { merged: CustomerDoc; survivorAfter: CustomerDoc; mergeId: string; at: string },
): Promise<void> {
  const { merged, survivorAfter, mergeId, at } = m;
  await ctx.collections.ledger.insertMany(
    [
      { _id: `merge-out:${mergeId}`, customerId: merged._id, kind: 'merge_out', delta: -merged.points, balanceAfter: 0, at, counterpartId: survivorAfter._id, mergeId },
      { _id: `merge-in:${mergeId}`, customerId: survivorAfter._id, kind: 'merge_in', delta: merged.points, balanceAfter: survivorAfter.points, at, counterpartId: merged._id, mergeId },
    ],
    { session },
  );
  await ctx.events.publish(session, PointsChanged, {
    subject: merged._id,
    data: { customerId: merged._id, delta: -merged.points, balance: 0, reason: 'merge' },
  });
  await ctx.events.publish(session, PointsChanged, {
    subject: survivorAfter._id,
    data: { customerId: survivorAfter._id, delta: merged.points, balance: survivorAfter.points, reason: 'merge' },
  });
}
