import { updateContent, type ContentPatch, type Product } from '../domain/product';
import { assertCategoriesExist } from './assert-categories';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';
import { publishProductUpdated } from './product-events';

/** Changes name, description, categories, images or attributes; emits ProductUpdated with what changed. */
export async function updateProduct(
  ctx: CatalogContext,
  _actor: Actor,
  productId: string,
  expectedVersion: number | undefined,
  patch: ContentPatch,
): Promise<Product> {
  const { product } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current) => {
      const { product: next, changed } = updateContent(current, patch);
      return { next: changed.length > 0 ? next : null, result: changed };
    },
    async (session, _before, after, changed) => {
      if (changed.includes('categoryIds')) await assertCategoriesExist(ctx, after.categoryIds, session);
      await publishProductUpdated(ctx, session, after, changed);
    },
  );
  return product;
}
