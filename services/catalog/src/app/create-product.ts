import { ProductCreated } from '@omni/contracts';
import { ConflictError } from '@omni/kit';
import { isDuplicateKeyError, newId } from '@omni/store';
import { newProduct, type Product, type ProductInput } from '../domain/product';
import { assertCategoriesExist } from './assert-categories';
import { skuExists } from './mutate-product';
import { enforceParity } from './parity';
import { nowIso, type Actor, type CatalogContext } from './context';
import { initialPrices, publishPriceChanged, skuSummaries } from './product-events';

export type CreateProductCommand = Omit<ProductInput, 'id'> & { id?: string };

/** Creates a draft product with its SKUs; emits ProductCreated and one PriceChanged per initial price. */
export async function createProduct(ctx: CatalogContext, actor: Actor, cmd: CreateProductCommand): Promise<Product> {
  const product = newProduct({ ...cmd, id: cmd.id ?? newId() }, nowIso(ctx));
  try {
    const created = await ctx.store.withTransaction(async (session) => {
      await assertCategoriesExist(ctx, product.categoryIds, session);
      if (await ctx.collections.products.findById(product._id, { session })) {
        throw new ConflictError('product-exists', `product ${product._id} already exists`);
      }
      const taken = await ctx.collections.products.find({ skuIds: { $in: product.skuIds } }, { session, projection: { skuIds: 1 } });
      if (taken.length > 0) throw skusTaken(product.skuIds, taken);
      await enforceParity(ctx, session, actor, null, product);
      await ctx.collections.products.insertOne(product, { session });
      await ctx.events.publish(session, ProductCreated, {
        subject: product._id,
        data: { productId: product._id, name: product.name, categoryIds: product.categoryIds, skus: skuSummaries(product) },
      });
      for (const sku of product.skus) {
        for (const price of initialPrices(sku)) await publishPriceChanged(ctx, session, product._id, price);
      }
      await ctx.audit.record(
        { actor, action: 'catalog.product.created', target: { type: 'product', id: product._id }, details: { skus: product.skuIds } },
        session,
      );
      return product;
    });
    ctx.metrics.priceChanges.inc({ channel: 'all', kind: 'initial' }, created.skus.reduce((n, s) => n + initialPrices(s).length, 0));
    return created;
  } catch (err) {
    // Two creates racing for one SKU: the unique index decides.
    if (isDuplicateKeyError(err)) throw skuExists(err);
    throw err;
  }
}

export function skusTaken(requested: string[], holders: Array<Pick<Product, '_id' | 'skuIds'>>): ConflictError {
  const wanted = new Set(requested);
  const skus = holders.flatMap((h) => h.skuIds.filter((s) => wanted.has(s)));
  return new ConflictError('sku-exists', `SKUs already in the catalog: ${skus.join(', ')}`, { skus });
}
