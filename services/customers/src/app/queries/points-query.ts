import type { Page } from '@omni/store';
import { NotFoundError } from '@omni/kit';
import { resolveCustomer, type LedgerEntry } from '../../store/collections';
import type { CustomersContext } from '../context';
import { withCursor } from '@omni/kit';

export interface PointsSummary {
  customerId: string;
  points: number;
  lifetimePoints: number;
  level: string;
  /** Points that expire next and when (FIFO); absent when the balance is 0. */
  nextExpiry?: { points: number; expiresAt: string };
  ledger: Page<Omit<LedgerEntry, 'customerId' | 'lots'> & { id: string }>;
}

/** Balance, level, next expiry and one page of the ledger (newest first). */
export async function pointsSummary(
  ctx: Pick<CustomersContext, 'collections'>,
  customerId: string,
  page: { limit: number; cursor?: string },
): Promise<PointsSummary> {
  const resolved = await resolveCustomer(ctx.collections, customerId);
  if (!resolved) throw new NotFoundError('customer', customerId);
  const doc = resolved.doc;
  const [ledger, nextLots] = await Promise.all([
    withCursor(() => ctx.collections.ledger.page({ customerId: doc._id }, { limit: page.limit, cursor: page.cursor ?? null, sortField: 'at', direction: -1 })),
    ctx.collections.lots.find({ customerId: doc._id, remaining: { $gt: 0 } }, { sort: { expiresAt: 1 }, limit: 50 }),
  ]);
  const first = nextLots[0];
  const nextExpiry = first
    ? { expiresAt: first.expiresAt, points: nextLots.filter((l) => l.expiresAt === first.expiresAt).reduce((s, l) => s + l.remaining, 0) }
    : undefined;
  return {
    customerId: doc._id,
    points: doc.points,
    lifetimePoints: doc.lifetimePoints,
    level: doc.level,
    ...(nextExpiry ? { nextExpiry } : {}),
    ledger: {
      items: ledger.items.map(({ _id, customerId: _c, lots: _l, ...rest }) => ({ id: _id, ...rest })),
      nextCursor: ledger.nextCursor,
    },
  };
}

export interface PointsReconciliation {
  customerId: string;
  /** Cached balance on the customer record. */
  balance: number;
  /** Sum of the customer's ledger entries. */
  ledgerSum: number;
  /** Sum of `remaining` over the customer's lots. */
  lotsSum: number;
  consistent: boolean;
}

/** Proves the balance from the ledger (and the lots); the reconciliation ops and tests rely on. */
export async function reconcilePoints(ctx: Pick<CustomersContext, 'collections'>, customerId: string): Promise<PointsReconciliation> {
  const doc = await ctx.collections.customers.findById(customerId);
  if (!doc) throw new NotFoundError('customer', customerId);
  const [entries, lots] = await Promise.all([
    ctx.collections.ledger.find({ customerId }, { projection: { delta: 1 } }),
    ctx.collections.lots.find({ customerId }, { projection: { remaining: 1 } }),
  ]);
  const ledgerSum = entries.reduce((s, e) => s + e.delta, 0);
  const lotsSum = lots.reduce((s, l) => s + l.remaining, 0);
  return { customerId, balance: doc.points, ledgerSum, lotsSum, consistent: ledgerSum === doc.points && lotsSum === doc.points };
}
