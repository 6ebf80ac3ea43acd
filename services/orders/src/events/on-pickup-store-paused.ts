import type { Service } from '@omni/kit';
import { PickupStorePaused, PickupStoreResumed } from '@omni/contracts';
import type { Session } from '@omni/store';
import type { OrdersContext } from '../app/context';

/**
 * Stores paused for pickup, projected locally so routing can skip them without a call. Both events
 * of a store share its partition (ordered); the time check also drops a replayed older event.
 */
export function onPickupStorePauses(svc: Service, ctx: OrdersContext): void {
  svc.events.on(PickupStorePaused, async (event, { session }) => {
    const d = event.data;
    await apply(ctx, session, d.storeId, event.time, {
      paused: true,
      reason: d.reason,
      automatic: d.automatic,
    });
  });
  ctx.svc.events.on(PickupStoreResumed, async (event, { session }) => {
    const d = event.data;
    await apply(ctx, session, d.storeId, event.time, { paused: false, automatic: d.automatic });
  });
}

async function apply(
  ctx: OrdersContext,
  session: Session,
  storeId: string,
  at: string,
  state: { paused: boolean; reason?: string; automatic: boolean },
): Promise<void> {
  const current = await ctx.collections.pausedStores.findById(storeId, { session });
  if (current && current.changedAt > at) return;
  await ctx.collections.pausedStores.replaceOne(
    { _id: storeId },
    { _id: storeId, ...state, changedAt: at },
    { session, upsert: true },
  );
}
