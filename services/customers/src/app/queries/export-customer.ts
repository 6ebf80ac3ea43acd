import { NotFoundError } from '@omni/kit';
import type { CustomerView } from '../../domain/customer';
import { resolveCustomer, type LedgerEntry, type MergeDoc, type OrderRefDoc } from '../../store/collections';
import type { Actor, CustomersContext } from '../context';
import { getCustomer } from './get-customer';

export interface CustomerExport {
  exportedAt: string;
  customer: CustomerView;
  /** Records merged into this customer (their ids; their data moved here). */
  mergedRecords: string[];
  merges: Array<Omit<MergeDoc, '_id' | 'actor'> & { id: string }>;
  pointsLedger: Array<Omit<LedgerEntry, '_id'> & { id: string }>;
  pointsLots: Array<{ id: string; original: number; remaining: number; earnedAt: string; expiresAt: string; source: string }>;
  orders: Array<Omit<OrderRefDoc, '_id'> & { orderId: string }>;
}

/**
 * Everything this service holds about the person behind `customerId` (data access / portability
 * request), as one JSON document: profile, identities, consents, addresses, the points ledger of the
 * record and of every record merged into it, lots, order references and merges. Audited.
 */
export async function exportCustomer(ctx: CustomersContext, customerId: string, actor: Actor): Promise<CustomerExport> {
  const { collections: db } = ctx;
  const resolved = await resolveCustomer(db, customerId);
  if (!resolved) throw new NotFoundError('customer', customerId);
  const id = resolved.doc._id;
  const tombstones = await db.customers.find({ mergedInto: id }, { projection: { _id: 1 } });
  const allIds = [id, ...tombstones.map((t) => t._id)];
  const [customer, ledger, lots, orders, merges] = await Promise.all([
    getCustomer(ctx, id),
    db.ledger.find({ customerId: { $in: allIds } }, { sort: { at: 1, _id: 1 } }),
    db.lots.find({ customerId: id }, { sort: { expiresAt: 1 } }),
    db.orders.find({ customerId: id }, { sort: { createdAt: 1 } }),
    db.merges.find({ $or: [{ survivorId: { $in: allIds } }, { mergedId: { $in: allIds } }] }, { sort: { at: 1 } }),
  ]);
  await ctx.audit.record({ actor, action: 'customer.export', target: { type: 'customer', id } });
  return {
    exportedAt: ctx.clock().toISOString(),
    customer,
    mergedRecords: tombstones.map((t) => t._id),
    merges: merges.map(({ _id, actor: _a, ...m }) => ({ id: _id, ...m })),
    pointsLedger: ledger.map(({ _id, ...e }) => ({ id: _id, ...e })),
    pointsLots: lots.map((l) => ({ id: l._id, original: l.original, remaining: l.remaining, earnedAt: l.earnedAt, expiresAt: l.expiresAt, source: l.source })),
    orders: orders.map(({ _id, ...o }) => ({ orderId: _id, ...o })),
  };
}
