import { ConflictError, NotFoundError } from '@omni/kit';
import type { Session } from '@omni/store';
import type { PickupConflict } from '../store/collections';
import type { Actor, PickupContext } from './context';

/** Ops closes a conflict with what was done about it (audited). */
export async function resolveConflict(
  ctx: PickupContext,
  session: Session,
  actor: Actor,
  conflictId: string,
  resolution: string,
): Promise<PickupConflict> {
  const conflict = await ctx.collections.conflicts.findById(conflictId, { session });
  if (!conflict) throw new NotFoundError('pickup conflict', conflictId);
  const resolved = await ctx.collections.conflicts.findOneAndUpdate(
    { _id: conflictId, status: 'open' },
    {
      $set: { status: 'resolved', resolvedAt: ctx.clock().toISOString(), resolvedBy: actor.sub, resolution },
    },
    { session },
  );
  if (!resolved)
    throw new ConflictError('conflict-already-resolved', `pickup conflict ${conflictId} is already resolved`);
  await ctx.audit.record(
    {
      actor,
      action: 'pickup.conflict.resolve',
      target: { type: 'pickup-conflict', id: conflictId },
      details: { kind: conflict.kind, resolution },
    },
    session,
  );
  return resolved;
}
