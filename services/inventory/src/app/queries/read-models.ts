import { NotFoundError, withCursor } from '@omni/kit';
import type { Filter, Page } from '@omni/store';
import type {
  Capability,
  LocationDoc,
  LocationStatus,
  LocationType,
  PosCursorDoc,
  TransferDoc,
} from '../../domain/types';
import type { InventoryContext } from '../context';
import { unknownLocation } from '../errors';

export interface LocationListQuery {
  type?: LocationType;
  status?: LocationStatus;
  capability?: Capability;
}

export async function listLocations(
  ctx: InventoryContext,
  q: LocationListQuery,
  page: { limit: number; cursor?: string },
): Promise<Page<LocationDoc>> {
  const filter: Filter = {};
  if (q.type) filter.type = q.type;
  if (q.status) filter.status = q.status;
  if (q.capability) filter.capabilities = q.capability;
  return withCursor(() =>
    ctx.collections.locations.page(filter, { limit: page.limit, cursor: page.cursor ?? null }),
  );
}

export async function getLocation(ctx: InventoryContext, id: string): Promise<LocationDoc> {
  const location = await ctx.collections.locations.findById(id);
  if (!location) throw unknownLocation(id);
  return location;
}

export async function getTransfer(ctx: InventoryContext, id: string): Promise<TransferDoc> {
  const transfer = await ctx.collections.transfers.findById(id);
  if (!transfer) throw new NotFoundError('transfer', id, 'unknown-transfer');
  return transfer;
}

export interface PosState {
  storeId: string;
  cursor: number;
  held: Array<{ clientOpId: string; seq: number }>;
  skipped: PosCursorDoc['skipped'];
}

/** Where a store's sync stands: what the store may forget, and what waits for a gap. */
export async function getPosState(ctx: InventoryContext, storeId: string): Promise<PosState> {
  await getLocation(ctx, storeId);
  const [cursor, held] = await Promise.all([
    ctx.collections.posCursors.findById(storeId),
    ctx.collections.posOps.find({ storeId, status: 'held' }, { sort: { seq: 1 } }),
  ]);
  return {
    storeId,
    cursor: cursor?.lastSeq ?? 0,
    held: held.map((h) => ({ clientOpId: h.clientOpId, seq: h.seq })),
    skipped: cursor?.skipped ?? [],
  };
}
