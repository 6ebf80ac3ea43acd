import type { Session } from '@omni/store';
import { newId, TransientTransactionError } from '@omni/store';
import { LevelChanged, PointsChanged } from '@omni/contracts';
import type { CustomerDoc } from '../domain/customer';
import { addDays, consumeFifo, levelFor, maxLevel } from '../domain/points';
import type { LedgerEntry, LedgerKind, LotDoc } from '../store/collections';
import type { CustomersContext } from './context';

type PointsReason = 'accrual' | 'redemption' | 'refund' | 'expiry' | 'merge' | 'adjustment' | 'reversal';

export interface PointsChange {
  /** Ledger entry id; a natural key when the change must happen at most once. */
  entryId: string;
  /** A live customer (callers resolve merges first). */
  customerId: string;
  kind: Exclude<LedgerKind, 'merge_in' | 'merge_out'>;
  reason: PointsReason;
  /** Positive = credit (creates a lot), negative = debit (consumes lots FIFO). Never 0. */
  delta: number;
  at: string;
  /** Credits: when the points count as earned (expiry runs from here). Default `at`. */
  earnedAt?: string;
  /** Added to lifetime points (accruals only): drives the level. */
  lifetimeDelta?: number;
  orderId?: string;
  operationId?: string;
  note?: string;
}

/**
 * The one place points move (except merges, which move whole lots): in the caller's transaction,
 * a guarded $inc on the balance (a debit never takes it below 0, whatever the concurrency), the
 * ledger entry, the lots, the level, and the PointsChanged / LevelChanged events.
 * Returns the customer after the change, or null when the customer is not active or a debit
 * exceeds the balance — callers turn that into their own error (the transaction then aborts).
 */
export async function applyPointsChange(
  ctx: CustomersContext,
  session: Session,
  change: PointsChange,
): Promise<CustomerDoc | null> {
  if (!Number.isSafeInteger(change.delta) || change.delta === 0) throw new Error(`invalid points delta ${change.delta}`);
  const { collections: db } = ctx;
  const debit = change.delta < 0;
  const after = await db.customers.findOneAndUpdate(
    { _id: change.customerId, status: 'active', ...(debit ? { points: { $gte: -change.delta } } : {}) },
    { $inc: { points: change.delta, lifetimePoints: change.lifetimeDelta ?? 0 }, $set: { updatedAt: change.at } },
    { session },
  );
  if (!after) return null;

  let consumed: LedgerEntry['lots'];
  if (debit) {
    const lots = await db.lots.find({ customerId: change.customerId, remaining: { $gt: 0 } }, { session });
    consumed = consumeFifo(lots, -change.delta);
    for (const { lotId, take } of consumed) {
      // Guarded: on MongoDB a concurrent transaction may have consumed the lot since we read it.
      const res = await db.lots.updateOne({ _id: lotId, remaining: { $gte: take } }, { $inc: { remaining: -take } }, { session });
      if (res.matchedCount === 0) throw new TransientTransactionError(`points lot ${lotId} changed concurrently`);
    }
  } else {
    const earnedAt = change.earnedAt ?? change.at;
    const lot: LotDoc = {
      _id: change.entryId,
      customerId: change.customerId,
      original: change.delta,
      remaining: change.delta,
      earnedAt,
      expiresAt: addDays(earnedAt, ctx.policy.validityDays),
      source: change.kind === 'accrual' ? 'accrual' : change.kind === 'refund' ? 'refund' : 'adjustment',
    };
    await db.lots.insertOne(lot, { session });
  }

  const entry: LedgerEntry = {
    _id: change.entryId,
    customerId: change.customerId,
    kind: change.kind,
    delta: change.delta,
    balanceAfter: after.points,
    at: change.at,
    ...(change.orderId ? { orderId: change.orderId } : {}),
    ...(change.operationId ? { operationId: change.operationId } : {}),
    ...(consumed ? { lots: consumed } : {}),
    ...(change.note ? { note: change.note } : {}),
  };
  await db.ledger.insertOne(entry, { session });
  ctx.metrics?.points.inc({ kind: change.kind }, Math.abs(change.delta));

  await ctx.events.publish(session, PointsChanged, {
    subject: change.customerId,
    data: {
      customerId: change.customerId,
      delta: change.delta,
      balance: after.points,
      reason: change.reason,
      ...(change.orderId ? { orderId: change.orderId } : {}),
    },
  });
  return applyLevel(ctx, session, after, change.at);
}

/**
 * Raises the level to what lifetime points reached (levels never go down automatically: there is
 * no re-qualification period yet). Publishes LevelChanged when it moves.
 */
export async function applyLevel(ctx: CustomersContext, session: Session, doc: CustomerDoc, at: string): Promise<CustomerDoc> {
  const levels = ctx.policy.levels;
  const target = maxLevel(levels, doc.level, levelFor(levels, doc.lifetimePoints));
  if (target === doc.level) return doc;
  const updated = await ctx.collections.customers.findOneAndUpdate(
    { _id: doc._id, level: doc.level },
    { $set: { level: target, updatedAt: at } },
    { session },
  );
  if (!updated) throw new TransientTransactionError(`level of ${doc._id} changed concurrently`);
  await ctx.events.publish(session, LevelChanged, { subject: doc._id, data: { customerId: doc._id, from: doc.level, to: target } });
  return updated;
}

/**
 * Expires the customer's lots that are due at `now` (one ledger entry for all of them). Returns the
 * points expired (0 when nothing was due).
 */
export async function expireCustomerLots(ctx: CustomersContext, session: Session, customerId: string, now: string): Promise<number> {
  const due = await ctx.collections.lots.find({ customerId, remaining: { $gt: 0 }, expiresAt: { $lte: now } }, { session });
  const points = due.reduce((sum, lot) => sum + lot.remaining, 0);
  if (points === 0) return 0;
  // FIFO by expiry takes exactly the due lots: they expire before every lot that is not due.
  const after = await applyPointsChange(ctx, session, {
    entryId: `expiry:${newId()}`,
    customerId,
    kind: 'expiry',
    reason: 'expiry',
    delta: -points,
    at: now,
  });
  if (!after) throw new Error(`customer ${customerId} holds ${points} expiring points but its balance is lower (drift)`);
  return points;
}
