import { UnprocessableError } from '@omni/kit';

/** A node of the category tree (`parentId` null = a root). */
export interface Category {
  _id: string;
  name: string;
  parentId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

/** Deep trees are a navigation problem, and a bound keeps ancestor walks cheap. */
export const MAX_CATEGORY_DEPTH = 8;

/** Ids from `id` up to its root (inclusive); stops at a missing parent. */
export function ancestry(id: string, byId: ReadonlyMap<string, Pick<Category, '_id' | 'parentId'>>): string[] {
  const path: string[] = [];
  let current: string | null = id;
  while (current !== null && !path.includes(current)) {
    path.push(current);
    current = byId.get(current)?.parentId ?? null;
  }
  return path;
}

/**
 * Checks that `id` may hang under `parentId`: the parent exists, is not `id` or one of its
 * descendants (a cycle), and the depth bound holds for the moved subtree.
 */
export function assertValidParent(
  id: string,
  parentId: string | null,
  all: ReadonlyMap<string, Pick<Category, '_id' | 'parentId'>>,
): void {
  if (parentId === null) return;
  if (!all.has(parentId)) throw new UnprocessableError('unknown-category', `parent category ${parentId} does not exist`);
  const parentPath = ancestry(parentId, all);
  if (parentPath.includes(id)) {
    throw new UnprocessableError('category-cycle', `category ${parentId} is ${id} or below it; a category cannot move under itself`);
  }
  const subtreeHeight = heightBelow(id, all);
  if (parentPath.length + 1 + subtreeHeight > MAX_CATEGORY_DEPTH) {
    throw new UnprocessableError('category-too-deep', `the category tree may be at most ${MAX_CATEGORY_DEPTH} levels deep`);
  }
}

/** `id` and every category below it. */
export function subtree(id: string, all: Iterable<Pick<Category, '_id' | 'parentId'>>): string[] {
  const children = new Map<string, string[]>();
  for (const c of all) {
    if (c.parentId === null) continue;
    const list = children.get(c.parentId);
    if (list) list.push(c._id);
    else children.set(c.parentId, [c._id]);
  }
  const out: string[] = [];
  const stack = [id];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.includes(next)) continue;
    out.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

function heightBelow(id: string, all: ReadonlyMap<string, Pick<Category, '_id' | 'parentId'>>): number {
  let height = 0;
  for (const c of all.values()) {
    if (c._id === id) continue;
    const path = ancestry(c._id, all);
    const at = path.indexOf(id);
    if (at > 0) height = Math.max(height, at);
  }
  return height;
}
