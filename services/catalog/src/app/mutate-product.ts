import { ConflictError, NotFoundError } from '@omni/kit';
import { isDuplicateKeyError, TransientTransactionError, type Session } from '@omni/store';
import { derive, type Product } from '../domain/product';
import { nowIso, type CatalogContext } from './context';

export interface Mutation<R> {
  /** The next product; `null` = nothing changed (nothing is written, no event, version unchanged). */
  next: Product | null;
  result: R;
}

/**
 * The one write path of the product aggregate, inside one transaction:
 * read → check the caller's expected version (409 on mismatch) → compute the next state (pure
 * domain) → compare-and-set on the version read (`{_id, version}` filter) → events and audit with
 * the same session. A lost compare-and-set (only possible on MongoDB, where transactions run in
 * parallel) retries the whole transaction, which re-reads; with an expected version it is a 409.
 */
export async function mutateProduct<R>(
  ctx: CatalogContext,
  productId: string,
  expectedVersion: number | undefined,
  change: (current: Product, now: string) => Mutation<R>,
  effects: (session: Session, before: Product, after: Product, result: R) => Promise<void>,
): Promise<{ product: Product; result: R; changed: boolean }> {
  try {
    return await ctx.store.withTransaction(async (session) => {
      const current = await ctx.collections.products.findById(productId, { session });
      if (!current) throw new NotFoundError('product', productId);
      assertVersion(current, expectedVersion);
      const now = nowIso(ctx);
      const { next, result } = change(current, now);
      if (!next) return { product: current, result, changed: false };
      const written: Product = derive({ ...next, version: current.version + 1, updatedAt: now });
      const { matchedCount } = await ctx.collections.products.replaceOne({ _id: productId, version: current.version }, written, { session });
      if (matchedCount === 0) {
        if (expectedVersion !== undefined) throw versionConflict(productId, expectedVersion, undefined);
        throw new TransientTransactionError(`product ${productId} changed concurrently`);
      }
      await effects(session, current, written, result);
      return { product: written, result, changed: true };
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw skuExists(err);
    throw err;
  }
}

export function assertVersion(current: { _id: string; version: number }, expected: number | undefined): void {
  if (expected !== undefined && current.version !== expected) throw versionConflict(current._id, expected, current.version);
}

function versionConflict(id: string, expected: number, current: number | undefined): ConflictError {
  return new ConflictError(
    'version-conflict',
    `${id} is at version ${current ?? 'newer'}, not ${expected}; re-read it and apply the change again`,
    current !== undefined ? { currentVersion: current } : {},
  );
}

/** A unique-index violation on `skuIds`: the SKU belongs to another product. */
export function skuExists(err: unknown): ConflictError {
  const key = (err as { key?: Record<string, unknown>; keyValue?: Record<string, unknown> }).key ?? (err as { keyValue?: Record<string, unknown> }).keyValue;
  const sku = key?.skuIds;
  return new ConflictError(
    'sku-exists',
    typeof sku === 'string' ? `SKU ${sku} already exists in the catalog` : 'A SKU of this product already exists in the catalog',
    typeof sku === 'string' ? { skus: [sku] } : {},
  );
}
