import type { Money } from '../../domain/money';
import {
  sellability,
  type Channel,
  type NotSellableReason,
  type Product,
  type ProductKind,
  type PurchaseLimit,
} from '../../domain/product';
import type { CatalogContext } from '../context';

export interface SkuAnswer {
  sku: string;
  productId: string;
  name: string;
  sellable: boolean;
  price?: Money;
  reason?: NotSellableReason;
  /** Per customer per period, across channels (orders enforces it). */
  purchaseLimit?: PurchaseLimit;
  kind: ProductKind;
}

/** Most SKUs one lookup answers (an order or a cart, with room to spare). */
export const MAX_SKUS_PER_LOOKUP = 500;

/**
 * Authoritative price and sellability of SKUs for a channel (and store): what orders ask at checkout.
 * One answer per requested SKU, in request order.
 */
export async function getSkus(ctx: CatalogContext, skus: string[], channel: Channel, storeId?: string): Promise<SkuAnswer[]> {
  const unique = [...new Set(skus)];
  const products = unique.length > 0 ? await ctx.collections.products.find({ skuIds: { $in: unique } }) : [];
  const bySku = new Map<string, Product>();
  for (const p of products) for (const s of p.skuIds) bySku.set(s, p);
  const answers = skus.map((sku): SkuAnswer => {
    const product = bySku.get(sku);
    const verdict = sellability(product, sku, channel, storeId);
    const base = { sku, productId: product?._id ?? '', name: product?.name ?? '', kind: product?.kind ?? ('goods' as const) };
    const limit = product?.skus.find((s) => s.sku === sku)?.purchaseLimit;
    return verdict.sellable
      ? { ...base, sellable: true, price: verdict.price, ...(limit ? { purchaseLimit: limit } : {}) }
      : // No price on a refusal: a caller must not be able to charge for what it may not sell.
        { ...base, sellable: false, reason: verdict.reason };
  });
  for (const a of answers) ctx.metrics.skuLookups.inc({ result: a.sellable ? 'sellable' : (a.reason ?? 'unknown') });
  return answers;
}
