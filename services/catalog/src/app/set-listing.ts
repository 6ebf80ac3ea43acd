import { setListing as setListingOfSku, type Listing, type Product } from '../domain/product';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';
import { enforceParity } from './parity';
import { publishProductUpdated } from './product-events';

/**
 * Sets the channels (and, for the store channel, the stores) that sell a SKU. A channel can only be
 * listed when the SKU has a price for it (422). Emits ProductUpdated (`skus/<sku>/listing`).
 */
export async function setListing(
  ctx: CatalogContext,
  actor: Actor,
  productId: string,
  sku: string,
  expectedVersion: number | undefined,
  listing: Listing,
): Promise<Product> {
  const { product } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current) => {
      const { product: next, changed } = setListingOfSku(current, sku, listing);
      return { next: changed.length > 0 ? next : null, result: changed };
    },
    async (session, before, after, changed) => {
      await enforceParity(ctx, session, actor, before, after);
      await publishProductUpdated(ctx, session, after, changed);
      const was = before.skus.find((s) => s.sku === sku)?.listing;
      await ctx.audit.record(
        { actor, action: 'catalog.listing.set', target: { type: 'sku', id: sku }, details: { productId, before: was, after: listing } },
        session,
      );
    },
  );
  return product;
}
