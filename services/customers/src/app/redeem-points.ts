import type { Session } from '@omni/store';
import { isDuplicateKeyError } from '@omni/store';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '@omni/kit';
import type { CustomerDoc } from '../domain/customer';
import { resolveCustomer, type LedgerEntry } from '../store/collections';
import { applyPointsChange, expireCustomerLots } from './points-ledger';
import type { CustomersContext } from './context';

export interface PointsOperation {
  customerId: string;
  points: number;
  orderId: string;
  /** The caller's id for this operation; retries with the same id change nothing. */
  operationId: string;
}

export interface PointsBalance {
  customerId: string;
  points: number;
}

const MAX_POINTS_PER_OPERATION = 1_000_000_000;

export function validateOperation(op: PointsOperation): void {
  const errors = [];
  if (!op.customerId) errors.push({ field: 'customerId', message: 'is required' });
  if (!Number.isSafeInteger(op.points) || op.points <= 0 || op.points > MAX_POINTS_PER_OPERATION) {
    errors.push({ field: 'points', message: `must be an integer from 1 to ${MAX_POINTS_PER_OPERATION}` });
  }
  if (!op.orderId || op.orderId.length > 128) errors.push({ field: 'orderId', message: 'is required (1-128 characters)' });
  if (!op.operationId || op.operationId.length > 128) errors.push({ field: 'operationId', message: 'is required (1-128 characters)' });
  if (errors.length > 0) throw new BadRequestError('The points operation is not valid', errors);
}

/**
 * Replays an operation that was already applied: the same id with the same content returns the
 * current balance; the same id with other content is a client bug (409).
 */
export async function replayIfDone(
  ctx: CustomersContext,
  entryId: string,
  op: PointsOperation,
  session?: Session,
): Promise<PointsBalance | null> {
  const done: LedgerEntry | null = await ctx.collections.ledger.findById(entryId, { session });
  if (!done) return null;
  const sameCustomer = await resolveCustomer(ctx.collections, op.customerId, session);
  const current = await resolveCustomer(ctx.collections, done.customerId, session);
  if (Math.abs(done.delta) !== op.points || done.orderId !== op.orderId || sameCustomer?.doc._id !== current?.doc._id) {
    throw new ConflictError('operation-id-reused', `operation ${op.operationId} was already used for another points operation`);
  }
  return { customerId: current!.doc._id, points: current!.doc.points };
}

/** Resolves to the live customer that can hold points: 404 unknown, 422 erased. */
export async function pointsHolder(ctx: CustomersContext, session: Session, customerId: string): Promise<CustomerDoc> {
  const resolved = await resolveCustomer(ctx.collections, customerId, session);
  if (!resolved) throw new NotFoundError('customer', customerId);
  if (resolved.doc.status !== 'active') throw new UnprocessableError('customer-erased', `customer ${customerId} was erased`);
  return resolved.doc;
}

/**
 * Spends points at checkout. One transaction: expire what is due first (so expired points cannot be
 * spent even if the sweep is late), then a guarded decrement — the balance never goes below 0
 * whatever the concurrency — then the order's refundable counter. Not enough points → 422
 * (FAILED_PRECONDITION over gRPC) and nothing changes.
 */
export async function redeemPoints(ctx: CustomersContext, op: PointsOperation): Promise<PointsBalance> {
  validateOperation(op);
  const entryId = `redeem:${op.operationId}`;
  try {
    return await ctx.store.withTransaction(async (session) => {
      const replay = await replayIfDone(ctx, entryId, op, session);
      if (replay) return replay;
      const holder = await pointsHolder(ctx, session, op.customerId);
      const at = ctx.clock().toISOString();
      await expireCustomerLots(ctx, session, holder._id, at);
      const after = await applyPointsChange(ctx, session, {
        entryId,
        customerId: holder._id,
        kind: 'redemption',
        reason: 'redemption',
        delta: -op.points,
        at,
        orderId: op.orderId,
        operationId: op.operationId,
      });
      if (!after) {
        const current = await ctx.collections.customers.findById(holder._id, { session });
        throw new UnprocessableError('insufficient-points', `${op.points} points requested, ${current?.points ?? 0} available`, {
          available: current?.points ?? 0,
          requested: op.points,
        });
      }
      await recordOrderRedemption(ctx, session, holder._id, op.orderId, op.points, at);
      return { customerId: holder._id, points: after.points };
    });
  } catch (err) {
    // MongoDB: the same operation ran concurrently and committed first.
    if (isDuplicateKeyError(err)) {
      const replay = await replayIfDone(ctx, entryId, op);
      if (replay) return replay;
    }
    throw err;
  }
}

async function recordOrderRedemption(ctx: CustomersContext, session: Session, customerId: string, orderId: string, points: number, at: string): Promise<void> {
  const ref = await ctx.collections.orders.findOneAndUpdate(
    { _id: orderId },
    {
      $setOnInsert: { customerId, pointsEarned: 0, pointsRefunded: 0, createdAt: at },
      $inc: { pointsRedeemed: points, refundable: points },
      $set: { updatedAt: at },
    },
    { session, upsert: true },
  );
  if (ref && ref.customerId !== customerId) {
    const owner = await resolveCustomer(ctx.collections, ref.customerId, session);
    if (owner?.doc._id !== customerId) {
      throw new ConflictError('order-of-another-customer', `order ${orderId} belongs to another customer`);
    }
  }
}
