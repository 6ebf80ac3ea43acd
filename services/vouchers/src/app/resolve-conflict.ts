import { ConflictError, NotFoundError, type Actor } from '@omni/kit';
import type { VoucherConflict } from '../store/collections';
import type { VouchersContext } from './context';

/** Ops closes a conflict with what they did about it (audited). */
export async function resolveConflict(
  ctx: VouchersContext,
  actor: Actor,
  conflictId: string,
  resolution: string,
): Promise<VoucherConflict> {
  return ctx.store.withTransaction(async (s) => {
    const now = ctx.clock().toISOString();
    const done = await ctx.collections.conflicts.findOneAndUpdate(
      { _id: conflictId, status: 'open' },
      { $set: { status: 'resolved', resolvedAt: now, resolvedBy: actor.sub, resolution } },
      { session: s },
    );
    if (!done) {
      const exists = await ctx.collections.conflicts.findById(conflictId, { session: s });
      if (!exists) throw new NotFoundError('voucher conflict', conflictId);
      throw new ConflictError('conflict-resolved', `conflict ${conflictId} is already resolved`);
    }
    await ctx.audit.record(
      {
        actor,
        action: 'vouchers.conflict.resolve',
        target: { type: 'voucher-conflict', id: conflictId },
        details: { resolution },
      },
      s,
    );
    return done;
  });
}
