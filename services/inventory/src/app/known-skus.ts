import { NotFoundError } from '@omni/kit';
import type { Tx } from './context';

/**
 * A SKU is known when catalog announced it (the catalog_skus projection of its product events), or
 * when stock of it exists somewhere (it was known when that stock arrived; this also covers the
 * projection catching up after a deploy). Nothing creates stock of a SKU that is neither.
 */
export async function isKnownSku(tx: Tx, sku: string): Promise<boolean> {
  const { catalogSkus, levels } = tx.ctx.collections;
  if (await catalogSkus.findById(sku, { session: tx.session })) return true;
  return (await levels.findOne({ sku }, { session: tx.session, projection: { _id: 1 } })) !== null;
}

/** 404 unknown-sku for the first SKU that is not known (the caller's transaction writes nothing). */
export async function assertKnownSkus(tx: Tx, skus: Iterable<string>): Promise<void> {
  for (const sku of new Set(skus)) {
    if (!(await isKnownSku(tx, sku))) throw new NotFoundError('SKU', sku, 'unknown-sku');
  }
}
