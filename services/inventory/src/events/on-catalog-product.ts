import { ProductCreated, ProductDeleted, ProductUpdated } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { Session } from '@omni/store';
import type { InventoryContext } from '../app/context';

/**
 * Which SKUs exist, as catalog announces them: store ops (POS receipts, counts, sales) for a SKU
 * catalog never heard of are refused rather than creating stock of nothing. A deleted draft frees
 * its SKU codes, so they are forgotten here too.
 */
export function onCatalogProduct(svc: Service, ctx: InventoryContext): void {
  const { catalogSkus } = ctx.collections;
  const remember = async (productId: string, skus: Array<{ sku: string }>, session: Session) => {
    const at = ctx.clock().toISOString();
    for (const { sku } of skus) {
      await catalogSkus.updateOne({ _id: sku }, { $set: { productId, at } }, { session, upsert: true });
    }
  };
  svc.events.on(ProductCreated, async (event, { session }) =>
    remember(event.data.productId, event.data.skus, session),
  );
  svc.events.on(ProductUpdated, async (event, { session }) =>
    remember(event.data.productId, event.data.skus, session),
  );
  svc.events.on(ProductDeleted, async (event, { session }) => {
    for (const sku of event.data.skus)
      await catalogSkus.deleteOne({ _id: sku, productId: event.data.productId }, { session });
  });
}
