import { bestLevel, levelAtStore, UNKNOWN_AVAILABILITY, type AvailabilityLevel, type LevelAt, type SkuAvailability } from '../../domain/availability';
import type { Money } from '../../domain/money';
import {
  priceFor,
  sellability,
  type Channel,
  type Listing,
  type Product,
  type ProductKind,
  type ProductStatus,
  type PurchaseLimit,
  type StorePrice,
} from '../../domain/product';

/** Where the storefront sells: prices and sellability are resolved for this. */
export interface SalesContext {
  channel: Channel;
  /** A store, for store-channel prices (overrides) and availability at that store. */
  storeId?: string;
}

export interface SkuView {
  sku: string;
  barcode?: string;
  attributes: Record<string, string>;
  images: string[];
  /** The price for the requested channel (and store), or null when it has none. */
  price: Money | null;
  sellable: boolean;
  /** Why not sellable: unpublished, not-listed, no-price. */
  reason?: string;
  prices: Partial<Record<Channel, Money>>;
  storePrices: StorePrice[];
  listing: Listing;
  purchaseLimit?: PurchaseLimit;
  availability: {
    online: LevelAt;
    stores: Array<LevelAt & { storeId: string }>;
    /** Level at the requested store (when one was given). */
    store?: LevelAt;
    /** Inventory's version of this snapshot; 0 = not reported yet. */
    version: number;
  };
}

export interface ProductView {
  id: string;
  kind: ProductKind;
  name: string;
  description: string;
  categoryIds: string[];
  images: string[];
  attributes: Record<string, string>;
  status: ProductStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  channel: Channel;
  storeId?: string;
  /** Best level over the SKUs: on the channel (online for online/phone), and at the store if given. */
  availability: { online: AvailabilityLevel; store?: AvailabilityLevel };
  skus: SkuView[];
}

export interface ProductSummary {
  id: string;
  name: string;
  categoryIds: string[];
  image: string | null;
  status: ProductStatus;
  version: number;
  /** Lowest price of the SKUs sold on the requested channel (and store). */
  priceFrom: Money | null;
  availability: AvailabilityLevel;
  skuCount: number;
}

function skuAvailability(a: SkuAvailability | undefined, storeId: string | undefined): SkuView['availability'] {
  return {
    online: a ? { ...a.online } : { ...UNKNOWN_AVAILABILITY },
    stores: (a?.stores ?? []).map((s) => ({ storeId: s.locationId, available: s.available, level: s.level })),
    ...(storeId !== undefined ? { store: levelAtStore(a, storeId) } : {}),
    version: a?.version ?? 0,
  };
}

export function productView(p: Product, sales: SalesContext, availability: ReadonlyMap<string, SkuAvailability>): ProductView {
  const skus = p.skus.map((s): SkuView => {
    const verdict = sellability(p, s.sku, sales.channel, sales.storeId);
    return {
      sku: s.sku,
      ...(s.barcode !== undefined ? { barcode: s.barcode } : {}),
      attributes: s.attributes,
      images: s.images,
      price: priceFor(s, sales.channel, sales.storeId) ?? null,
      sellable: verdict.sellable,
      ...(verdict.sellable ? {} : { reason: verdict.reason }),
      prices: s.prices,
      storePrices: s.storePrices,
      listing: s.listing,
      ...(s.purchaseLimit ? { purchaseLimit: s.purchaseLimit } : {}),
      availability: skuAvailability(availability.get(s.sku), sales.storeId),
    };
  });
  return {
    id: p._id,
    kind: p.kind ?? 'goods',
    name: p.name,
    description: p.description,
    categoryIds: p.categoryIds,
    images: p.images,
    attributes: p.attributes,
    status: p.status,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    ...(p.publishedAt ? { publishedAt: p.publishedAt } : {}),
    channel: sales.channel,
    ...(sales.storeId !== undefined ? { storeId: sales.storeId } : {}),
    availability: {
      online: bestLevel(skus.map((s) => s.availability.online.level)),
      ...(sales.storeId !== undefined ? { store: bestLevel(skus.map((s) => s.availability.store?.level ?? 'out')) } : {}),
    },
    skus,
  };
}

/** A list card: availability on the requested channel (the store's level on the store channel). */
export function productSummary(p: Product, sales: SalesContext, availability: ReadonlyMap<string, SkuAvailability>): ProductSummary {
  const sold = p.skus.filter((s) => sellability(p, s.sku, sales.channel, sales.storeId).sellable);
  const levels = sold.map((s) => {
    const a = availability.get(s.sku);
    if (sales.channel !== 'store') return a?.online.level ?? 'out';
    // Store channel: that store's shelf, or the best store when none is named.
    return sales.storeId !== undefined ? levelAtStore(a, sales.storeId).level : bestLevel((a?.stores ?? []).map((x) => x.level));
  });
  return {
    id: p._id,
    name: p.name,
    categoryIds: p.categoryIds,
    image: p.images[0] ?? p.skus.find((s) => s.images.length > 0)?.images[0] ?? null,
    status: p.status,
    version: p.version,
    priceFrom: lowest(sold.map((s) => priceFor(s, sales.channel, sales.storeId)).filter((m): m is Money => !!m)),
    availability: bestLevel(levels),
    skuCount: p.skus.length,
  };
}

/** Lowest amount among prices in the first price's currency (a product is priced in one currency in practice). */
function lowest(prices: Money[]): Money | null {
  const first = prices[0];
  if (!first) return null;
  return prices.filter((m) => m.currency === first.currency).reduce((a, b) => (b.amountMinor < a.amountMinor ? b : a));
}

export async function availabilityOf(
  skus: string[],
  find: (filter: Record<string, unknown>) => Promise<SkuAvailability[]>,
): Promise<Map<string, SkuAvailability>> {
  if (skus.length === 0) return new Map();
  const rows = await find({ _id: { $in: skus } });
  return new Map(rows.map((r) => [r._id, r]));
}
