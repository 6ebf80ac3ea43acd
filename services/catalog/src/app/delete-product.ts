import { ProductDeleted } from '@omni/contracts';
import { ConflictError, NotFoundError } from '@omni/kit';
import { TransientTransactionError } from '@omni/store';
import type { Actor, CatalogContext } from './context';
import { assertVersion } from './mutate-product';

/**
 * Deletes a draft product and frees its SKU codes. A published product must be unpublished first
 * (409), so nothing on sale disappears in one step. Emits ProductDeleted; audited.
 */
export async function deleteProduct(ctx: CatalogContext, actor: Actor, productId: string, expectedVersion: number | undefined): Promise<void> {
  await ctx.store.withTransaction(async (session) => {
    const current = await ctx.collections.products.findById(productId, { session });
    if (!current) throw new NotFoundError('product', productId);
    assertVersion(current, expectedVersion);
    if (current.status === 'published') {
      throw new ConflictError('product-published', `product ${productId} is published; unpublish it before deleting`);
    }
    const deleted = await ctx.collections.products.deleteOne({ _id: productId, version: current.version }, { session });
    if (deleted === 0) throw new TransientTransactionError(`product ${productId} changed concurrently`);
    await ctx.events.publish(session, ProductDeleted, { subject: productId, data: { productId, skus: current.skuIds } });
    await ctx.audit.record(
      { actor, action: 'catalog.product.deleted', target: { type: 'product', id: productId }, details: { skus: current.skuIds, name: current.name } },
      session,
    );
  });
}
