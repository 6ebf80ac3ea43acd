import { NotFoundError } from '@omni/kit';
import type { Page } from '@omni/store';
import { ancestry, type Category } from '../../domain/category';
import type { CatalogContext } from '../context';
import { withCursor } from '@omni/kit';

export interface CategoryView {
  id: string;
  name: string;
  parentId: string | null;
  version: number;
}

export interface CategoryDetail extends CategoryView {
  /** Root first, this category last: for breadcrumbs. */
  path: CategoryView[];
  children: CategoryView[];
}

export function categoryView(c: Category): CategoryView {
  return { id: c._id, name: c.name, parentId: c.parentId, version: c.version };
}

/** The tree as a flat, id-ordered, paginated list (`parentId` links the nodes). */
export async function listCategories(ctx: CatalogContext, q: { parentId?: string | null; limit: number; cursor?: string }): Promise<Page<CategoryView>> {
  const filter = q.parentId !== undefined ? { parentId: q.parentId } : {};
  const page = await withCursor(() => ctx.collections.categories.page(filter, { limit: q.limit, cursor: q.cursor ?? null }));
  return { items: page.items.map(categoryView), nextCursor: page.nextCursor };
}

export async function getCategory(ctx: CatalogContext, id: string): Promise<CategoryDetail> {
  const all = await ctx.collections.categories.find({});
  const byId = new Map(all.map((c) => [c._id, c]));
  const category = byId.get(id);
  if (!category) throw new NotFoundError('category', id);
  const path = ancestry(id, byId)
    .reverse()
    .map((cid) => byId.get(cid))
    .filter((c): c is Category => !!c)
    .map(categoryView);
  const children = all.filter((c) => c.parentId === id).map(categoryView);
  return { ...categoryView(category), path, children };
}
