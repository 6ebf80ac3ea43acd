import { ProductPublished, ProductUnpublished } from '@omni/contracts';
import { publish, unpublish, type Product } from '../domain/product';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';

/** Makes a draft product sellable on its listed channels (409 when already published). */
export async function publishProduct(ctx: CatalogContext, actor: Actor, productId: string, expectedVersion: number | undefined): Promise<Product> {
  const { product } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current, now) => ({ next: publish(current, now), result: undefined }),
    async (session, _before, after) => {
      await ctx.events.publish(session, ProductPublished, {
        subject: productId,
        data: { productId, skus: after.skuIds, channels: after.listedChannels },
      });
      await ctx.audit.record({ actor, action: 'catalog.product.published', target: { type: 'product', id: productId } }, session);
    },
  );
  ctx.metrics.publications.inc({ action: 'publish' });
  return product;
}

/** Takes a published product off sale everywhere (409 when it is not published). */
export async function unpublishProduct(ctx: CatalogContext, actor: Actor, productId: string, expectedVersion: number | undefined): Promise<Product> {
  const { product } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current) => ({ next: unpublish(current), result: undefined }),
    async (session, _before, after) => {
      await ctx.events.publish(session, ProductUnpublished, { subject: productId, data: { productId, skus: after.skuIds } });
      await ctx.audit.record({ actor, action: 'catalog.product.unpublished', target: { type: 'product', id: productId } }, session);
    },
  );
  ctx.metrics.publications.inc({ action: 'unpublish' });
  return product;
}
