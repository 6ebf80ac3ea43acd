import { ConflictError } from '@omni/kit';
import { isDuplicateKeyError, newId, type Session } from '@omni/store';
import { assertValidParent, type Category } from '../domain/category';
import { nowIso, type Actor, type CatalogContext } from './context';

export interface CreateCategoryCommand {
  id?: string;
  name: string;
  parentId?: string | null;
}

/**
 * The whole tree (small: hundreds of nodes) as the transaction sees it, for cycle and depth checks.
 * Also bumps a tree lock row so two concurrent moves conflict on MongoDB (snapshot isolation would
 * otherwise let "A under B" and "B under A" both commit); the embedded store serialises anyway.
 */
export async function loadTree(ctx: CatalogContext, session: Session): Promise<Map<string, Category>> {
  await ctx.collections.locks.updateOne({ _id: 'category-tree' }, { $inc: { writes: 1 } }, { session, upsert: true });
  const all = await ctx.collections.categories.find({}, { session });
  return new Map(all.map((c) => [c._id, c]));
}

export async function createCategory(ctx: CatalogContext, actor: Actor, cmd: CreateCategoryCommand): Promise<Category> {
  const now = nowIso(ctx);
  const category: Category = { _id: cmd.id ?? newId(), name: cmd.name, parentId: cmd.parentId ?? null, version: 1, createdAt: now, updatedAt: now };
  try {
    return await ctx.store.withTransaction(async (session) => {
      const tree = await loadTree(ctx, session);
      if (tree.has(category._id)) throw categoryExists(category._id);
      assertValidParent(category._id, category.parentId, tree);
      await ctx.collections.categories.insertOne(category, { session });
      await ctx.audit.record({ actor, action: 'catalog.category.created', target: { type: 'category', id: category._id } }, session);
      return category;
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw categoryExists(category._id);
    throw err;
  }
}

function categoryExists(id: string): ConflictError {
  return new ConflictError('category-exists', `category ${id} already exists`);
}
