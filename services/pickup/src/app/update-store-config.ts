import { UnprocessableError } from '@omni/kit';
import type { Session } from '@omni/store';
import { mergeConfig, type PickupStore, type StoreConfig } from '../domain/store';
import { requireStore } from '../store/collections';
import type { Actor, PickupContext } from './context';

/**
 * A manager changes the store's pickup settings (audited). New values apply to tasks created (prep
 * time, lockout attempts) or made ready (hold, reminder) from now on.
 */
export async function updateStoreConfig(
  ctx: PickupContext,
  session: Session,
  actor: Actor,
  storeId: string,
  patch: Partial<StoreConfig>,
): Promise<PickupStore> {
  const store = await requireStore(ctx.collections, storeId, session);
  const { config, problems } = mergeConfig(store.config, patch);
  if (problems.length > 0)
    throw new UnprocessableError('invalid-store-config', problems.join('; '), { problems });
  const updated = await ctx.collections.stores.findOneAndUpdate(
    { _id: storeId },
    { $set: { config, updatedAt: ctx.clock().toISOString() } },
    { session },
  );
  await ctx.audit.record(
    {
      actor,
      action: 'pickup.store.configure',
      target: { type: 'store', id: storeId },
      details: { before: store.config, after: config },
    },
    session,
  );
  return updated ?? { ...store, config };
}
