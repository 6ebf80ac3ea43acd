import type { Filter, Page } from '@omni/store';
import { emptyLevelFields, levelFlags, levelId, sellable, type LevelFlag } from '../../domain/levels';
import type { MovementDoc, MovementReason, ReservationDoc, StockLevelDoc } from '../../domain/types';
import type { InventoryContext } from '../context';
import { withCursor } from '@omni/kit';
import { unknownLocation, unknownReservation } from '../errors';

export type LevelView = Omit<StockLevelDoc, '_id' | 'lowStockAlerted'> & {
  sellable: number;
  lowStock: boolean;
  flags: LevelFlag[];
};

/** `locationIds`: only these locations (the caller's stores); absent = every location. */
export interface StoreScopedQuery {
  locationIds?: readonly string[];
}

/** The caller's locations; a named location outside them matches nothing (it never widens the scope). */
export function scopeFilter(q: StoreScopedQuery & { locationId?: string }): Filter {
  const within = q.locationId
    ? q.locationIds && !q.locationIds.includes(q.locationId)
      ? []
      : [q.locationId]
    : q.locationIds;
  return within ? { locationId: { $in: [...within] } } : {};
}

export function levelView(level: StockLevelDoc): LevelView {
  const { _id: _, lowStockAlerted, ...rest } = level;
  return { ...rest, sellable: sellable(level), lowStock: lowStockAlerted, flags: levelFlags(level) };
}

export async function listLevels(
  ctx: InventoryContext,
  q: StoreScopedQuery & { locationId?: string; sku?: string },
  page: { limit: number; cursor?: string },
): Promise<Page<LevelView>> {
  const filter: Filter = scopeFilter(q);
  // The stock of a location that does not exist is a 404, not an empty page.
  if (q.locationId && !(await ctx.collections.locations.findById(q.locationId)))
    throw unknownLocation(q.locationId);
  if (q.locationId) filter.locationId = q.locationId;
  if (q.sku) filter.sku = q.sku;
  const result = await withCursor(() =>
    ctx.collections.levels.page(filter, { limit: page.limit, cursor: page.cursor ?? null }),
  );
  return { items: result.items.map(levelView), nextCursor: result.nextCursor };
}

/** Levels in an explained exceptional state (negative on hand, reserved beyond on hand). */
export async function listStockExceptions(
  ctx: InventoryContext,
  page: { limit: number; cursor?: string },
): Promise<Page<LevelView>> {
  const result = await withCursor(() =>
    ctx.collections.levels.page(
      { $or: [{ onHand: { $lt: 0 } }, { $expr: { $gt: ['$reserved', '$onHand'] } }] },
      { limit: page.limit, cursor: page.cursor ?? null },
    ),
  );
  return { items: result.items.map(levelView), nextCursor: result.nextCursor };
}

/** The ledger, newest first. */
export async function listMovements(
  ctx: InventoryContext,
  q: StoreScopedQuery & { locationId?: string; sku?: string; reason?: MovementReason },
  page: { limit: number; cursor?: string },
): Promise<Page<MovementDoc>> {
  const filter: Filter = scopeFilter(q);
  if (q.locationId) filter.locationId = q.locationId;
  if (q.sku) filter.sku = q.sku;
  if (q.reason) filter.reason = q.reason;
  return withCursor(() =>
    ctx.collections.movements.page(filter, { limit: page.limit, cursor: page.cursor ?? null, direction: -1 }),
  );
}

export async function getReservation(ctx: InventoryContext, id: string): Promise<ReservationDoc> {
  const res = await ctx.collections.reservations.findById(id);
  if (!res) throw unknownReservation(id);
  return res;
}

/** One level as the API shows it; a SKU never stocked at a known location reads as all zeros. */
export async function getLevel(ctx: InventoryContext, sku: string, locationId: string): Promise<LevelView> {
  const level = await ctx.collections.levels.findById(levelId(sku, locationId));
  if (level) return levelView(level);
  if (!(await ctx.collections.locations.findById(locationId))) throw unknownLocation(locationId);
  const now = ctx.clock().toISOString();
  return levelView({
    _id: '',
    ...emptyLevelFields(sku, locationId),
    onHand: 0,
    reserved: 0,
    available: 0,
    version: 0,
    updatedAt: now,
  });
}
