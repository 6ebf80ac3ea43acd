import { PriceChanged, ProductUpdated } from '@omni/contracts';
import type { Session } from '@omni/store';
import type { Money } from '../domain/money';
import { CHANNELS, type Product, type Sku } from '../domain/product';
import type { CatalogContext } from './context';

/** The SKU part of ProductCreated / ProductUpdated. */
export function skuSummaries(p: Product): Array<{ sku: string; barcode?: string; attributes: Record<string, string> }> {
  return p.skus.map((s) => ({ sku: s.sku, ...(s.barcode !== undefined ? { barcode: s.barcode } : {}), attributes: s.attributes }));
}

export function publishProductUpdated(ctx: CatalogContext, session: Session, p: Product, changed: string[]): Promise<unknown> {
  return ctx.events.publish(session, ProductUpdated, {
    subject: p._id,
    data: { productId: p._id, name: p.name, categoryIds: p.categoryIds, skus: skuSummaries(p), changed },
  });
}

export interface PriceEvent {
  sku: string;
  channel: (typeof CHANNELS)[number];
  storeId?: string;
  price: Money;
  previous?: Money;
}

export function publishPriceChanged(ctx: CatalogContext, session: Session, productId: string, e: PriceEvent): Promise<unknown> {
  return ctx.events.publish(session, PriceChanged, {
    subject: productId,
    data: {
      productId,
      sku: e.sku,
      channel: e.channel,
      ...(e.storeId !== undefined ? { storeId: e.storeId } : {}),
      price: e.price,
      ...(e.previous ? { previous: e.previous } : {}),
    },
  });
}

/** The prices a new SKU starts with, as PriceChanged events (no `previous`: first price). */
export function initialPrices(sku: Sku): PriceEvent[] {
  const out: PriceEvent[] = [];
  for (const channel of CHANNELS) {
    const price = sku.prices[channel];
    if (price) out.push({ sku: sku.sku, channel, price });
  }
  for (const sp of sku.storePrices) out.push({ sku: sku.sku, channel: 'store', storeId: sp.storeId, price: sp.price });
  return out;
}
