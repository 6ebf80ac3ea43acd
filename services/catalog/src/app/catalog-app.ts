import type { Money } from '../domain/money';
import type { ContentPatch, Listing, PriceTarget, Product, SkuInput, SkuPatch } from '../domain/product';
import { addSku } from './add-sku';
import type { Actor, CatalogContext } from './context';
import { createCategory, type CreateCategoryCommand } from './create-category';
import { createProduct, type CreateProductCommand } from './create-product';
import { deleteProduct } from './delete-product';
import { publishProduct, unpublishProduct } from './publish-product';
import { getCategory, listCategories } from './queries/categories';
import { getProduct } from './queries/get-product';
import { getSkus } from './queries/get-skus';
import { listProducts, type ListProductsQuery } from './queries/list-products';
import { availabilityOf, productView, type ProductView, type SalesContext } from './queries/views';
import { setListing } from './set-listing';
import { listParityGaps } from './parity';
import { setPrice } from './set-price';
import { deleteCategory, updateCategory, type CategoryPatch } from './update-category';
import { updateProduct } from './update-product';
import { updateSku } from './update-sku';

/**
 * The catalog's use cases bound to one context: what HTTP, gRPC, the seed and tests call.
 * `version` arguments are the caller's expected product/category version (undefined = unconditional).
 */
export function createCatalogApp(ctx: CatalogContext) {
  return {
    context: ctx,
    createCategory: (actor: Actor, cmd: CreateCategoryCommand) => createCategory(ctx, actor, cmd),
    updateCategory: (actor: Actor, id: string, version: number | undefined, patch: CategoryPatch) =>
      updateCategory(ctx, actor, id, version, patch),
    deleteCategory: (actor: Actor, id: string, version: number | undefined) => deleteCategory(ctx, actor, id, version),
    createProduct: (actor: Actor, cmd: CreateProductCommand) => createProduct(ctx, actor, cmd),
    updateProduct: (actor: Actor, id: string, version: number | undefined, patch: ContentPatch) =>
      updateProduct(ctx, actor, id, version, patch),
    deleteProduct: (actor: Actor, id: string, version: number | undefined) => deleteProduct(ctx, actor, id, version),
    addSku: (actor: Actor, id: string, version: number | undefined, sku: SkuInput) => addSku(ctx, actor, id, version, sku),
    updateSku: (actor: Actor, id: string, sku: string, version: number | undefined, patch: SkuPatch) =>
      updateSku(ctx, actor, id, sku, version, patch),
    setListing: (actor: Actor, id: string, sku: string, version: number | undefined, listing: Listing) =>
      setListing(ctx, actor, id, sku, version, listing),
    setPrice: (actor: Actor, id: string, target: PriceTarget, version: number | undefined, price: Money | null) =>
      setPrice(ctx, actor, id, target, version, price),
    publishProduct: (actor: Actor, id: string, version: number | undefined) => publishProduct(ctx, actor, id, version),
    unpublishProduct: (actor: Actor, id: string, version: number | undefined) => unpublishProduct(ctx, actor, id, version),
    // Queries
    listProducts: (q: ListProductsQuery) => listProducts(ctx, q),
    getProduct: (id: string, sales: SalesContext, opts: { includeDrafts: boolean }) => getProduct(ctx, id, sales, opts),
    getSkus: (skus: string[], channel: SalesContext['channel'], storeId?: string) => getSkus(ctx, skus, channel, storeId),
    parityReport: (page: { limit: number; cursor?: string }) => listParityGaps(ctx, page),
    listCategories: (q: Parameters<typeof listCategories>[1]) => listCategories(ctx, q),
    getCategory: (id: string) => getCategory(ctx, id),
    /** The full (ops) view of a product just written, with its availability. */
    view: async (product: Product, sales: SalesContext = { channel: 'online' }): Promise<ProductView> =>
      productView(product, sales, await availabilityOf(product.skuIds, (f) => ctx.collections.availability.find(f))),
  };
}

export type CatalogApp = ReturnType<typeof createCatalogApp>;
