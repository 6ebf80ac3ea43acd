import type { Filter, Page } from '@omni/store';
import { subtree } from '../../domain/category';
import { ALL_STORES, type ProductStatus } from '../../domain/product';
import { queryTerms, searchFilter } from '../../domain/search';
import type { CatalogContext } from '../context';
import { withCursor } from '@omni/kit';
import { availabilityOf, productSummary, type ProductSummary, type SalesContext } from './views';

export interface ListProductsQuery extends SalesContext {
  /** Words matched as prefixes of the name's words, all of them (case- and accent-insensitive). */
  q?: string;
  /** The category or any category below it. */
  categoryId?: string;
  /** Storefronts see published products only; ops may ask for drafts or all. */
  status: ProductStatus | 'all';
  limit: number;
  cursor?: string;
}

/**
 * The storefront listing: published products sold on the channel (and store), filtered by category
 * subtree and name words, ordered by name, keyset-paginated (stable across pages: no duplicates or
 * gaps while the catalog changes between requests, apart from the changed products themselves).
 */
export async function listProducts(ctx: CatalogContext, query: ListProductsQuery): Promise<Page<ProductSummary>> {
  const clauses: Filter[] = [];
  if (query.status !== 'all') clauses.push({ status: query.status });
  if (query.status === 'published') {
    clauses.push({ listedChannels: query.channel });
    if (query.channel === 'store' && query.storeId !== undefined) clauses.push({ listedStores: { $in: [ALL_STORES, query.storeId] } });
  }
  if (query.categoryId !== undefined) {
    const all = await ctx.collections.categories.find({}, { projection: { _id: 1, parentId: 1 } });
    if (!all.some((c) => c._id === query.categoryId)) return { items: [], nextCursor: null };
    clauses.push({ categoryIds: { $in: subtree(query.categoryId, all) } });
  }
  if (query.q !== undefined) {
    const terms = queryTerms(query.q);
    if (terms.length === 0) return { items: [], nextCursor: null };
    clauses.push(searchFilter(terms));
  }
  const page = await withCursor(() =>
    ctx.collections.products.page(flatten(clauses), { limit: query.limit, cursor: query.cursor ?? null, sortField: 'nameKey' }),
  );
  const availability = await availabilityOf(
    page.items.flatMap((p) => p.skuIds),
    (filter) => ctx.collections.availability.find(filter),
  );
  return { items: page.items.map((p) => productSummary(p, query, availability)), nextCursor: page.nextCursor };
}

/**
 * One filter from the clauses. Top-level keys where possible (the embedded store reads index
 * equalities from them); $and only for a field constrained twice.
 */
function flatten(clauses: Filter[]): Filter {
  const out: Filter = {};
  const rest: Filter[] = [];
  for (const clause of clauses) {
    for (const [k, v] of Object.entries(clause)) {
      if (k === '$and') rest.push(...(v as Filter[]));
      else if (k in out) rest.push({ [k]: v });
      else out[k] = v;
    }
  }
  return rest.length > 0 ? { ...out, $and: rest } : out;
}
