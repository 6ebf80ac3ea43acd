import { NotFoundError } from '@omni/kit';
import type { CatalogContext } from '../context';
import { availabilityOf, productView, type ProductView, type SalesContext } from './views';

/** Product detail with SKUs, the price for the channel/store and availability per channel and store. */
export async function getProduct(
  ctx: CatalogContext,
  id: string,
  sales: SalesContext,
  opts: { includeDrafts: boolean },
): Promise<ProductView> {
  const product = await ctx.collections.products.findById(id);
  // A draft is invisible to storefronts: 404, not 403, so its existence does not leak.
  if (!product || (product.status !== 'published' && !opts.includeDrafts)) throw new NotFoundError('product', id);
  const availability = await availabilityOf(product.skuIds, (filter) => ctx.collections.availability.find(filter));
  return productView(product, sales, availability);
}
