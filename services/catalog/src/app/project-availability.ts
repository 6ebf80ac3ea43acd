import type { AvailabilityChanged } from '@omni/contracts';
import type { EventData } from '@omni/events';
import type { Session } from '@omni/store';
import { supersedes, type SkuAvailability } from '../domain/availability';
import { nowIso, type CatalogContext } from './context';

export type ProjectionOutcome = 'applied' | 'stale';

/**
 * Stores inventory's availability snapshot of one SKU unless a newer (or the same) version is already
 * there. Runs in the consumer's transaction (inbox row + this write commit together); a stale or
 * duplicate event is a no-op, never an error, so it is not retried or dead-lettered.
 */
export async function projectAvailability(
  ctx: CatalogContext,
  session: Session,
  data: EventData<typeof AvailabilityChanged>,
): Promise<ProjectionOutcome> {
  const stored = await ctx.collections.availability.findById(data.sku, { session });
  if (!supersedes(data.version, stored)) {
    ctx.metrics.availabilityUpdates.inc({ outcome: 'stale' });
    return 'stale';
  }
  const next: SkuAvailability = {
    _id: data.sku,
    online: { available: data.online.available, level: data.online.level },
    stores: data.stores.map((s) => ({ locationId: s.locationId, available: s.available, level: s.level })),
    version: data.version,
    updatedAt: nowIso(ctx),
  };
  if (stored) {
    // Guarded by the version read, so a concurrent newer snapshot is never overwritten.
    await ctx.collections.availability.replaceOne({ _id: data.sku, version: stored.version }, next, {
      session,
    });
  } else {
    await ctx.collections.availability.insertOne(next, { session });
  }
  ctx.metrics.availabilityUpdates.inc({ outcome: 'applied' });
  return 'applied';
}
