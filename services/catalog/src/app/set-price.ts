import type { Money } from '../domain/money';
import { setPrice as setPriceOfSku, type PriceTarget, type Product } from '../domain/product';
import type { Actor, CatalogContext } from './context';
import { mutateProduct } from './mutate-product';
import { enforceParity } from './parity';
import { publishPriceChanged } from './product-events';

export interface SetPriceResult {
  product: Product;
  /** False when the price was already this (nothing written, no event). */
  changed: boolean;
}

/**
 * Sets a channel price or a per-store override, or removes an override (`price` null). Audited
 * (who, old → new) and announced by PriceChanged in the same transaction.
 */
export async function setPrice(
  ctx: CatalogContext,
  actor: Actor,
  productId: string,
  target: PriceTarget,
  expectedVersion: number | undefined,
  price: Money | null,
): Promise<SetPriceResult> {
  const kind = target.storeId === undefined ? 'base' : price === null ? 'override-removed' : 'override';
  const { product, changed } = await mutateProduct(
    ctx,
    productId,
    expectedVersion,
    (current) => {
      const change = setPriceOfSku(current, target, price);
      return { next: change.changed ? change.product : null, result: change };
    },
    async (session, before, after, change) => {
      await enforceParity(ctx, session, actor, before, after);
      // An override removed from a SKU without a base store price leaves no price to announce.
      if (change.price) {
        await publishPriceChanged(ctx, session, productId, {
          sku: target.sku,
          channel: target.channel,
          ...(target.storeId !== undefined ? { storeId: target.storeId } : {}),
          price: change.price,
          ...(change.previous ? { previous: change.previous } : {}),
        });
      }
      await ctx.audit.record(
        {
          actor,
          action: price === null ? 'catalog.price.override-removed' : 'catalog.price.set',
          target: { type: 'sku', id: target.sku },
          details: {
            productId,
            channel: target.channel,
            ...(target.storeId !== undefined ? { storeId: target.storeId } : {}),
            previous: change.previous ?? null,
            price: change.price ?? null,
          },
        },
        session,
      );
    },
  );
  if (changed) ctx.metrics.priceChanges.inc({ channel: target.channel, kind });
  return { product, changed };
}
