import { updateSku as updateSkuOfProduct, type Product, type SkuPatch } from '../domain/product';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';
import { publishProductUpdated } from './product-events';

/** Changes a variant's barcode, attributes or images; emits ProductUpdated. */
export async function updateSku(
  ctx: CatalogContext,
  _actor: Actor,
  productId: string,
  sku: string,
  expectedVersion: number | undefined,
  patch: SkuPatch,
): Promise<Product> {
  const { product } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current) => {
      const { product: next, changed } = updateSkuOfProduct(current, sku, patch);
      return { next: changed.length > 0 ? next : null, result: changed };
    },
    (session, _before, after, changed) => publishProductUpdated(ctx, session, after, changed).then(() => undefined),
  );
  return product;
}
