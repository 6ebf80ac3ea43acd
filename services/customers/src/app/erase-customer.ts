import { ConflictError, NotFoundError } from '@omni/kit';
import { CustomerErased } from '@omni/contracts';
import { defaultConsents } from '../domain/customer';
import { resolveCustomer } from '../store/collections';
import { applyPointsChange } from './points-ledger';
import type { Actor, CustomersContext } from './context';

export interface EraseOutcome {
  customerId: string;
  /** False when the customer was already erased (nothing changed). */
  erased: boolean;
  identitiesFreed: number;
}

/**
 * Erasure on request (right to be forgotten), for the person behind `customerId` (merges followed):
 * name, addresses and consents are cleared, identities deleted (so they can be used again), the
 * points balance forfeited through the ledger, and the record kept as an anonymised tombstone so
 * order references and the ledger stay consistent. CustomerErased goes out for the record and for
 * every record merged into it (orders anonymise their history by those ids). Idempotent; audited.
 */
export async function eraseCustomer(ctx: CustomersContext, customerId: string, actor: Actor, reason?: string): Promise<EraseOutcome> {
  const outcome = await ctx.store.withTransaction(async (session) => {
    const { collections: db } = ctx;
    const resolved = await resolveCustomer(db, customerId, session);
    if (!resolved) throw new NotFoundError('customer', customerId);
    const doc = resolved.doc;
    if (doc.status === 'erased') return { customerId: doc._id, erased: false, identitiesFreed: 0 };
    const at = ctx.clock().toISOString();
    if (doc.points > 0) {
      const forfeited = await applyPointsChange(ctx, session, {
        entryId: `erasure:${doc._id}`,
        customerId: doc._id,
        kind: 'erasure',
        reason: 'adjustment',
        delta: -doc.points,
        at,
        note: 'balance forfeited on erasure',
      });
      if (!forfeited) throw new ConflictError('customer-changed', 'the customer changed during erasure, retry');
    }
    const identitiesFreed = await db.identities.deleteMany({ customerId: doc._id }, { session });
    const erased = await db.customers.findOneAndUpdate(
      { _id: doc._id, status: 'active' },
      { $set: { status: 'erased', name: '', addresses: [], consents: defaultConsents(at), erasedAt: at, updatedAt: at } },
      { session },
    );
    if (!erased) throw new ConflictError('customer-changed', 'the customer changed during erasure, retry');
    const tombstones = await db.customers.find({ mergedInto: doc._id }, { session, projection: { _id: 1 } });
    for (const id of [doc._id, ...tombstones.map((t) => t._id)]) {
      await ctx.events.publish(session, CustomerErased, { subject: id, data: { customerId: id } });
    }
    await ctx.audit.record(
      {
        actor,
        action: 'customer.erase',
        target: { type: 'customer', id: doc._id },
        details: { identitiesFreed, pointsForfeited: doc.points, mergedRecords: tombstones.length, ...(reason ? { reason } : {}) },
      },
      session,
    );
    return { customerId: doc._id, erased: true, identitiesFreed };
  });
  if (outcome.erased) ctx.metrics?.erasures.inc({});
  return outcome;
}
