import { isDuplicateKeyError } from '@omni/store';
import { BadRequestError, ConflictError, UnprocessableError } from '@omni/kit';
import { applyPointsChange } from './points-ledger';
import { pointsHolder, type PointsBalance } from './redeem-points';
import type { Actor, CustomersContext } from './context';

export interface PointsAdjustment {
  customerId: string;
  /** Positive credits a new lot (fresh validity); negative debits FIFO. */
  delta: number;
  note: string;
  operationId: string;
  actor: Actor;
}

/** Goodwill credits and corrections by ops: audited, idempotent by operationId, never below 0. */
export async function adjustPoints(ctx: CustomersContext, adj: PointsAdjustment): Promise<PointsBalance> {
  if (!Number.isSafeInteger(adj.delta) || adj.delta === 0) {
    throw new BadRequestError('delta must be a non-zero integer', [{ field: 'body/delta', message: 'must not be 0' }]);
  }
  const entryId = `adjust:${adj.operationId}`;
  const replay = async () => {
    const done = await ctx.collections.ledger.findById(entryId);
    if (!done) return null;
    if (done.delta !== adj.delta) throw new ConflictError('operation-id-reused', `operation ${adj.operationId} was already used`);
    const current = await ctx.collections.customers.findById(done.customerId);
    return { customerId: done.customerId, points: current?.points ?? 0 };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    return await ctx.store.withTransaction(async (session) => {
      const holder = await pointsHolder(ctx, session, adj.customerId);
      const at = ctx.clock().toISOString();
      const after = await applyPointsChange(ctx, session, {
        entryId,
        customerId: holder._id,
        kind: 'adjustment',
        reason: 'adjustment',
        delta: adj.delta,
        at,
        operationId: adj.operationId,
        note: adj.note,
      });
      if (!after) {
        throw new UnprocessableError('insufficient-points', `cannot take ${-adj.delta} points: ${holder.points} available`, {
          available: holder.points,
          requested: -adj.delta,
        });
      }
      await ctx.audit.record(
        { actor: adj.actor, action: 'customer.points.adjust', target: { type: 'customer', id: holder._id }, details: { delta: adj.delta, note: adj.note, operationId: adj.operationId } },
        session,
      );
      return { customerId: holder._id, points: after.points };
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) {
      const done = await replay();
      if (done) return done;
    }
    throw err;
  }
}
