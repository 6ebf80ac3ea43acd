import { addSku as addSkuToProduct, type Product, type SkuInput } from '../domain/product';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';
import { enforceParity } from './parity';
import { initialPrices, publishPriceChanged, publishProductUpdated } from './product-events';

/** Adds a variant; the SKU code must be new to the whole catalog (409 via the unique index otherwise). */
export async function addSku(
  ctx: CatalogContext,
  actor: Actor,
  productId: string,
  expectedVersion: number | undefined,
  input: SkuInput,
): Promise<Product> {
  const { product } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current) => {
      const { product: next, changed } = addSkuToProduct(current, input);
      return { next, result: changed };
    },
    async (session, before, after, changed) => {
      await enforceParity(ctx, session, actor, before, after);
      await publishProductUpdated(ctx, session, after, changed);
      const sku = after.skus.find((s) => s.sku === input.sku)!;
      for (const price of initialPrices(sku)) await publishPriceChanged(ctx, session, productId, price);
    },
  );
  return product;
}
