import type { OrdersCollections } from './collections';

/** Store id → why routing skips it (the projection kept by events/pickup-store-paused.ts). */
export async function pausedStores(
  cols: Pick<OrdersCollections, 'pausedStores'>,
): Promise<Map<string, string>> {
  const rows = await cols.pausedStores.find({ paused: true }, { limit: 10_000 });
  return new Map(rows.map((r) => [r._id, `paused for pickup${r.reason ? `: ${r.reason}` : ''}`]));
}
