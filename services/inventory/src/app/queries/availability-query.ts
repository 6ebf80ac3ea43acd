import { BadRequestError, UnprocessableError } from '@omni/kit';
import { onlineAvailable, type LevelLookup } from '../../domain/atp';
import { availabilityLevel, levelId, sellable, type AvailabilityLevel } from '../../domain/levels';
import type { Channel, LocationDoc, StockLevelDoc } from '../../domain/types';
import type { InventoryContext } from '../context';
import { unknownLocation } from '../errors';

export interface SkuAvailability {
  sku: string;
  available: number;
  level: AvailabilityLevel;
}

/** What a store can promise of a level: nothing while it is paused. */
export function storeAvailable(location: LocationDoc, level: StockLevelDoc | undefined): number {
  return location.status === 'active' && level ? sellable(level) : 0;
}

export function storeLowThreshold(ctx: InventoryContext, level: StockLevelDoc | undefined): number {
  return level && level.reorderPoint > 0 ? level.reorderPoint : ctx.settings.storeLowThreshold;
}

export async function loadLevels(
  ctx: InventoryContext,
  skus: readonly string[],
): Promise<Map<string, StockLevelDoc>> {
  const levels = await ctx.collections.levels.find({ sku: { $in: [...skus] } });
  return new Map(levels.map((l) => [l._id, l]));
}

/**
 * Available-to-promise per SKU for a channel: online (and phone) sums the active locations that
 * ship or offer pickup; store is that store alone. Unknown SKUs are simply 0 (storefronts ask for
 * what catalog lists, which may not have arrived anywhere yet).
 */
export async function getAvailability(
  ctx: InventoryContext,
  skus: readonly string[],
  channel: Channel,
  storeId?: string,
): Promise<SkuAvailability[]> {
  const unique = [...new Set(skus)];
  if (channel === 'store') {
    if (!storeId)
      throw new BadRequestError('storeId is required for the store channel', [
        { field: 'storeId', message: 'required' },
      ]);
    const store = await ctx.collections.locations.findById(storeId);
    if (!store) throw unknownLocation(storeId);
    if (store.type !== 'store')
      throw new UnprocessableError('not-a-store', `location ${storeId} is a ${store.type}`);
    const levels = await ctx.collections.levels.find({
      _id: { $in: unique.map((sku) => levelId(sku, storeId)) },
    });
    const bySku = new Map(levels.map((l) => [l.sku, l]));
    return unique.map((sku) => {
      const level = bySku.get(sku);
      const available = storeAvailable(store, level);
      return { sku, available, level: availabilityLevel(available, storeLowThreshold(ctx, level)) };
    });
  }
  const [locations, levels] = await Promise.all([
    ctx.collections.locations.find({ status: 'active' }),
    loadLevels(ctx, unique),
  ]);
  return unique.map((sku) => {
    const available = onlineAvailable(sku, locations, levels as LevelLookup);
    return { sku, available, level: availabilityLevel(available, ctx.settings.onlineLowThreshold) };
  });
}
