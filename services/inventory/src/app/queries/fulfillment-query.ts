import { rankFulfillmentLocations, type FulfillmentCandidate, type FulfillmentQuery } from '../../domain/atp';
import { validateLines } from '../../domain/validation';
import type { InventoryContext } from '../context';
import { loadLevels } from './availability-query';

export const MAX_FULFILLMENT_RESULTS = 100;

/** Locations able to serve a basket (order routing: "which store within R km can serve all lines?"). */
export async function findFulfillmentLocations(
  ctx: InventoryContext,
  q: FulfillmentQuery,
): Promise<FulfillmentCandidate[]> {
  validateLines(q.lines);
  const limit = q.limit > 0 ? Math.min(q.limit, MAX_FULFILLMENT_RESULTS) : 10;
  const [locations, levels] = await Promise.all([
    ctx.collections.locations.find({ status: 'active' }),
    loadLevels(
      ctx,
      q.lines.map((l) => l.sku),
    ),
  ]);
  return rankFulfillmentLocations({ ...q, limit }, locations, levels);
}
