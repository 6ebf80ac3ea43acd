import { ConflictError, NotFoundError } from '@omni/kit';
import { TransientTransactionError } from '@omni/store';
import { assertValidParent, type Category } from '../domain/category';
import { loadTree } from './create-category';
import { nowIso, type Actor, type CatalogContext } from './context';
import { assertVersion } from './mutate-product';

export interface CategoryPatch {
  name?: string;
  /** Move under another category (`null` = make it a root). */
  parentId?: string | null;
}

/** Renames or moves a category (no cycles, bounded depth); optimistic concurrency on `version`. */
export async function updateCategory(
  ctx: CatalogContext,
  actor: Actor,
  id: string,
  expectedVersion: number | undefined,
  patch: CategoryPatch,
): Promise<Category> {
  return ctx.store.withTransaction(async (session) => {
    const tree = await loadTree(ctx, session);
    const current = tree.get(id);
    if (!current) throw new NotFoundError('category', id);
    assertVersion(current, expectedVersion);
    const next: Category = { ...current };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.parentId !== undefined && patch.parentId !== current.parentId) {
      assertValidParent(id, patch.parentId, tree);
      next.parentId = patch.parentId;
    }
    if (next.name === current.name && next.parentId === current.parentId) return current;
    next.version = current.version + 1;
    next.updatedAt = nowIso(ctx);
    // The tree lock above already serialises category writes; the version filter is a second guard.
    const { matchedCount } = await ctx.collections.categories.replaceOne({ _id: id, version: current.version }, next, { session });
    if (matchedCount === 0) throw new TransientTransactionError(`category ${id} changed concurrently`);
    await ctx.audit.record(
      { actor, action: 'catalog.category.updated', target: { type: 'category', id }, details: { name: next.name, parentId: next.parentId } },
      session,
    );
    return next;
  });
}

/** Deletes a leaf category no product uses (409 otherwise: move or re-categorise first). */
export async function deleteCategory(ctx: CatalogContext, actor: Actor, id: string, expectedVersion: number | undefined): Promise<void> {
  await ctx.store.withTransaction(async (session) => {
    const current = (await loadTree(ctx, session)).get(id);
    if (!current) throw new NotFoundError('category', id);
    assertVersion(current, expectedVersion);
    if ((await ctx.collections.categories.countDocuments({ parentId: id }, { session })) > 0) {
      throw new ConflictError('category-has-children', `category ${id} has sub-categories`);
    }
    const used = await ctx.collections.products.countDocuments({ categoryIds: id }, { session });
    if (used > 0) throw new ConflictError('category-in-use', `category ${id} is used by ${used} products`, { products: used });
    await ctx.collections.categories.deleteOne({ _id: id }, { session });
    await ctx.audit.record({ actor, action: 'catalog.category.deleted', target: { type: 'category', id } }, session);
  });
}
