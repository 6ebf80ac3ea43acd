import { PickupStorePaused, PickupStoreResumed } from '@omni/contracts';
import type { Session } from '@omni/store';
import { decideThrottle, isPaused, type PickupStore, type StorePauseState } from '../domain/store';
import { PREPARING_STATES } from '../domain/task';
import { requireStore } from '../store/collections';
import type { Actor, PickupContext } from './context';

/**
 * Writes a store's new pause state and, when the effective state flips, the event routing listens to.
 * Manual and automatic pauses are tracked apart: the store is paused while either holds.
 */
async function writePause(
  ctx: PickupContext,
  session: Session,
  store: PickupStore,
  next: StorePauseState,
  event: { reason: string; automatic: boolean },
): Promise<PickupStore> {
  const updated = await ctx.collections.stores.findOneAndUpdate(
    { _id: store._id },
    { $set: { pause: next, updatedAt: ctx.clock().toISOString() } },
    { session },
  );
  const was = isPaused(store.pause);
  const is = isPaused(next);
  if (!was && is) {
    await ctx.events.publish(session, PickupStorePaused, {
      subject: store._id,
      data: { storeId: store._id, reason: event.reason, automatic: event.automatic },
    });
  } else if (was && !is) {
    await ctx.events.publish(session, PickupStoreResumed, {
      subject: store._id,
      data: { storeId: store._id, automatic: event.automatic },
    });
  }
  return updated ?? store;
}

/** A manager pauses new pickup orders for the store (audited). Idempotent. */
export async function pauseStore(
  ctx: PickupContext,
  session: Session,
  actor: Actor,
  storeId: string,
  reason: string,
): Promise<PickupStore> {
  const store = await requireStore(ctx.collections, storeId, session);
  const next: StorePauseState = {
    ...store.pause,
    manual: { by: actor.sub, reason, at: ctx.clock().toISOString() },
  };
  const updated = await writePause(ctx, session, store, next, { reason, automatic: false });
  await ctx.audit.record(
    {
      actor,
      action: 'pickup.store.pause',
      target: { type: 'store', id: storeId },
      details: { reason, wasPaused: isPaused(store.pause) },
    },
    session,
  );
  return updated;
}

/**
 * A manager resumes the store (audited): clears the manual pause and an automatic one too; if the
 * backlog is still over the threshold, the next throttle check pauses it again.
 */
export async function resumeStore(
  ctx: PickupContext,
  session: Session,
  actor: Actor,
  storeId: string,
): Promise<PickupStore> {
  const store = await requireStore(ctx.collections, storeId, session);
  const updated = await writePause(ctx, session, store, {}, { reason: 'resumed by staff', automatic: false });
  await ctx.audit.record(
    {
      actor,
      action: 'pickup.store.resume',
      target: { type: 'store', id: storeId },
      details: { wasPaused: isPaused(store.pause) },
    },
    session,
  );
  return updated;
}

export function countOverdue(
  ctx: PickupContext,
  storeId: string,
  now: Date,
  session?: Session,
): Promise<number> {
  return ctx.collections.tasks.countDocuments(
    { storeId, state: { $in: [...PREPARING_STATES] }, promisedReadyAt: { $lt: now.toISOString() } },
    { session },
  );
}

/**
 * Automatic throttling for every store: pause when overdue tasks reach the threshold, resume at or
 * below the lower mark. Returns the stores whose automatic state changed.
 */
export async function checkThrottling(
  ctx: PickupContext,
  now: Date,
): Promise<Array<{ storeId: string; action: 'paused' | 'resumed'; overdue: number }>> {
  const changes: Array<{ storeId: string; action: 'paused' | 'resumed'; overdue: number }> = [];
  let paused = 0;
  for (const candidate of await ctx.collections.stores.find({})) {
    const change = await ctx.store.withTransaction(async (session) => {
      const store = await ctx.collections.stores.findById(candidate._id, { session });
      if (!store) return null;
      const overdue = await countOverdue(ctx, store._id, now, session);
      const decision = decideThrottle(store.pause, overdue, store.config);
      if (decision.kind === 'none') return null;
      if (decision.kind === 'pause') {
        const reason = `${overdue} overdue pickup tasks (threshold ${store.config.overdueThreshold})`;
        await writePause(
          ctx,
          session,
          store,
          { ...store.pause, automatic: { reason, at: now.toISOString(), overdue } },
          { reason, automatic: true },
        );
        return { storeId: store._id, action: 'paused' as const, overdue };
      }
      const manualOnly: StorePauseState = store.pause.manual ? { manual: store.pause.manual } : {};
      await writePause(ctx, session, store, manualOnly, { reason: 'backlog cleared', automatic: true });
      return { storeId: store._id, action: 'resumed' as const, overdue };
    });
    if (change) {
      changes.push(change);
      ctx.log.info(change, `store ${change.action} automatically`);
    }
    const after = await ctx.collections.stores.findById(candidate._id);
    if (after && isPaused(after.pause)) paused++;
  }
  ctx.metrics.storesPaused.set(paused);
  return changes;
}
