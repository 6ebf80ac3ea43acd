import type { Collection, DocumentStore } from '@omni/store';
import type { SkuAvailability } from '../domain/availability';
import type { Category } from '../domain/category';
import type { Product } from '../domain/product';

export interface CatalogCollections {
  products: Collection<Product>;
  categories: Collection<Category>;
  /** The availability projection (one row per SKU), fed by inventory's AvailabilityChanged. */
  availability: Collection<SkuAvailability>;
  /** Rows bumped to make concurrent multi-document checks conflict (e.g. the category tree). */
  locks: Collection<{ _id: string; writes: number }>;
}

/**
 * Collections and the indexes the reads rely on. The embedded store picks the index with the
 * longest usable equality prefix, so search and category filters come with `status` second: the
 * lookup lands on the few matching products, not on every published one.
 */
export function catalogCollections(store: DocumentStore): CatalogCollections {
  return {
    products: store.collection<Product>({
      name: 'products',
      indexes: [
        // SKU codes are unique across the catalog (multikey: one entry per SKU of the product).
        { keys: { skuIds: 1 }, unique: true },
        { keys: { status: 1, nameKey: 1 } },
        { keys: { searchPrefixes: 1, status: 1 } },
        { keys: { categoryIds: 1, status: 1 } },
        // ops' parity report: the few products with a gap
        { keys: { parityGaps: 1 } },
      ],
    }),
    categories: store.collection<Category>({ name: 'categories', indexes: [{ keys: { parentId: 1 } }] }),
    availability: store.collection<SkuAvailability>({ name: 'sku_availability' }),
    locks: store.collection<{ _id: string; writes: number }>({ name: 'catalog_locks' }),
  };
}
