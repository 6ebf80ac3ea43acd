import { UnprocessableError } from '@omni/kit';
import type { Session } from '@omni/store';
import type { CatalogContext } from './context';

/** Products may only reference existing categories (422 naming the missing ones). */
export async function assertCategoriesExist(ctx: CatalogContext, ids: string[], session: Session): Promise<void> {
  if (ids.length === 0) return;
  const found = await ctx.collections.categories.find({ _id: { $in: ids } }, { session, projection: { _id: 1 } });
  const known = new Set(found.map((c) => c._id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new UnprocessableError('unknown-category', `unknown categories: ${missing.join(', ')}`, { categoryIds: missing });
  }
}
