import { updateSku as updateSkuOfProduct, type Product, type SkuPatch } from '../domain/product';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';
import { publishProductUpdated } from './product-events';

/**
 * Changes a variant's barcode, attributes, images or purchase limit; emits ProductUpdated. A limit
 * change decides what customers may buy: audited (who, before → after).
 */
export async function updateSku(
  ctx: CatalogContext,
  actor: Actor,
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
    async (session, before, after, changed) => {
      await publishProductUpdated(ctx, session, after, changed);
      if (changed.includes(`skus/${sku}/purchaseLimit`)) {
        await ctx.audit.record(
          {
            actor,
            action: 'catalog.purchase-limit.set',
            target: { type: 'sku', id: sku },
            details: {
              productId,
              before: before.skus.find((s) => s.sku === sku)?.purchaseLimit ?? null,
              after: after.skus.find((s) => s.sku === sku)?.purchaseLimit ?? null,
            },
          },
          session,
        );
      }
    },
  );
  return product;
}
