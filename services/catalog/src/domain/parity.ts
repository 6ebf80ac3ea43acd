import { sameMoney, type Money } from './money';
import type { Product, Sku } from './product';

/**
 * Price and range parity (issue 16 item 5): as O2O retailers run it, a SKU costs the same online and
 * in store, and what is sold online is sold in every store and the other way round. A difference is
 * a gap: allowed only as a deliberate, audited ops override while the policy is on.
 */
export type ParityGap =
  /** The store-channel base price differs from the online price. */
  | { kind: 'store-price'; sku: string; online: Money; store: Money }
  /** A per-store override differs from the online price. */
  | { kind: 'store-override'; sku: string; storeId: string; online: Money; store: Money }
  /** Sold online, not over the counter. */
  | { kind: 'online-only'; sku: string }
  /** Sold over the counter, not online. */
  | { kind: 'store-only'; sku: string }
  /** Sold over the counter in these stores only. */
  | { kind: 'some-stores'; sku: string; stores: string[] };

function skuGaps(sku: Sku): ParityGap[] {
  const gaps: ParityGap[] = [];
  const online = sku.listing.channels.includes('online');
  const store = sku.listing.channels.includes('store');
  if (online && !store) gaps.push({ kind: 'online-only', sku: sku.sku });
  if (store && !online) gaps.push({ kind: 'store-only', sku: sku.sku });
  if (online && store && sku.listing.stores !== undefined)
    gaps.push({ kind: 'some-stores', sku: sku.sku, stores: sku.listing.stores });
  const onlinePrice = sku.prices.online;
  if (onlinePrice) {
    const storePrice = sku.prices.store;
    if (storePrice && !sameMoney(storePrice, onlinePrice))
      gaps.push({ kind: 'store-price', sku: sku.sku, online: onlinePrice, store: storePrice });
    for (const o of sku.storePrices) {
      if (!sameMoney(o.price, onlinePrice))
        gaps.push({
          kind: 'store-override',
          sku: sku.sku,
          storeId: o.storeId,
          online: onlinePrice,
          store: o.price,
        });
    }
  }
  return gaps;
}

/**
 * A voucher has no gaps: it is sold online and honoured at the counter by design (its redemption
 * terms, stores included, are the vouchers service's offer), so range parity does not apply to it.
 */
export function parityGaps(p: Pick<Product, 'skus' | 'kind'>): ParityGap[] {
  if (p.kind === 'voucher') return [];
  return p.skus.flatMap(skuGaps);
}

/** Identity of a gap, prices included: moving an override from one price to another is a new decision. */
export function gapKey(g: ParityGap): string {
  return JSON.stringify(g);
}

/** Gaps the change creates (those already there were decided before). */
export function newGaps(
  before: Pick<Product, 'skus' | 'kind'> | null,
  after: Pick<Product, 'skus' | 'kind'>,
): ParityGap[] {
  const had = new Set((before ? parityGaps(before) : []).map(gapKey));
  return parityGaps(after).filter((g) => !had.has(gapKey(g)));
}
