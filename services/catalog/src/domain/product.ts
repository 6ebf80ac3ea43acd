import { BadRequestError, ConflictError, type FieldError, UnprocessableError } from '@omni/kit';
import { barcodeProblem } from './barcode';
import { priceErrors, sameMoney, type Money } from './money';
import { searchPrefixes, sortKey } from './search';
import { parityGaps } from './parity';

/**
 * The product aggregate: a product with its variants (SKUs), their prices per channel and per store,
 * and where they are listed. One document, one `version`, so every change (content, price, listing,
 * publication) is one optimistic-concurrency step. Functions here are pure: they take a product and
 * return the next one (or throw a domain error); the app layer persists and emits events.
 */

export const CHANNELS = ['online', 'store', 'phone'] as const;
export type Channel = (typeof CHANNELS)[number];
export type ProductStatus = 'draft' | 'published';

export interface StorePrice {
  storeId: string;
  price: Money;
}

export interface Listing {
  /** Channels the SKU is sold on. */
  channels: Channel[];
  /** For the store channel: the stores that sell it; absent = every store. */
  stores?: string[];
}

/** At most `qty` units of a SKU per customer per calendar `period` (UTC), across channels. */
export interface PurchaseLimit {
  qty: number;
  period: 'day' | 'week';
}

export interface Sku {
  sku: string;
  barcode?: string;
  attributes: Record<string, string>;
  images: string[];
  /** Base price per channel. */
  prices: Partial<Record<Channel, Money>>;
  /** Per-store overrides of the store-channel price. */
  storePrices: StorePrice[];
  listing: Listing;
  /** E.g. 5 per customer per day on a promoted item; orders enforces it at placement. */
  purchaseLimit?: PurchaseLimit;
}

/**
 * `goods` (default): stock is reserved when it is ordered. `voucher`: sold as a code redeemed in a
 * store (the vouchers service holds the terms); no stock is reserved at purchase.
 */
export type ProductKind = 'goods' | 'voucher';

export interface ProductContent {
  name: string;
  description: string;
  categoryIds: string[];
  images: string[];
  attributes: Record<string, string>;
}

export interface Product extends ProductContent {
  _id: string;
  /** Absent on products from before kinds: goods. */
  kind?: ProductKind;
  skus: Sku[];
  status: ProductStatus;
  /** Starts at 1, +1 on every change. */
  version: number;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  // Derived by derive() on every write, for indexes and filters (never set by hand).
  nameKey: string;
  searchPrefixes: string[];
  skuIds: string[];
  listedChannels: Channel[];
  /** Stores whose store channel sells at least one SKU; '*' = every store. */
  listedStores: string[];
  /** Number of price/range parity gaps (domain/parity.ts): ops list the products where it is > 0. */
  parityGaps?: number;
  [k: string]: unknown;
}

export const ALL_STORES = '*';

export interface SkuInput {
  sku: string;
  barcode?: string;
  attributes?: Record<string, string>;
  images?: string[];
  prices?: Partial<Record<Channel, Money>>;
  storePrices?: StorePrice[];
  listing?: Listing;
  purchaseLimit?: PurchaseLimit;
}

export interface ProductInput {
  id: string;
  kind?: ProductKind;
  name: string;
  description?: string;
  categoryIds?: string[];
  images?: string[];
  attributes?: Record<string, string>;
  skus: SkuInput[];
}

// ---------------------------------------------------------------------------------------------
// Construction and validation

function skuFromInput(input: SkuInput): Sku {
  return {
    sku: input.sku,
    ...(input.barcode !== undefined ? { barcode: input.barcode } : {}),
    attributes: { ...(input.attributes ?? {}) },
    images: [...(input.images ?? [])],
    prices: { ...(input.prices ?? {}) },
    storePrices: [...(input.storePrices ?? [])],
    listing: normaliseListing(input.listing ?? { channels: [] }),
    ...(input.purchaseLimit ? { purchaseLimit: { qty: input.purchaseLimit.qty, period: input.purchaseLimit.period } } : {}),
  };
}

function normaliseListing(listing: Listing): Listing {
  const channels = CHANNELS.filter((c) => listing.channels.includes(c));
  return listing.stores === undefined ? { channels } : { channels, stores: [...new Set(listing.stores)].sort() };
}

/** Attribute names become document keys: keep them to safe identifiers (no '.', no '$'). */
const ATTRIBUTE_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

function attributeErrors(attributes: Record<string, string>, field: string): FieldError[] {
  return Object.keys(attributes)
    .filter((k) => !ATTRIBUTE_KEY.test(k))
    .map((k) => ({ field: `${field}/attributes/${k}`, message: 'attribute names are letters, digits, _ and - (max 40)' }));
}

/** Input errors of one SKU (barcode check digit, prices, duplicate store overrides). */
function skuErrors(sku: Sku, field: string): FieldError[] {
  const errors: FieldError[] = attributeErrors(sku.attributes, field);
  if (sku.barcode !== undefined) {
    const problem = barcodeProblem(sku.barcode);
    if (problem) errors.push({ field: `${field}/barcode`, message: problem });
  }
  for (const [channel, price] of Object.entries(sku.prices)) {
    if (price) errors.push(...priceErrors(price, `${field}/prices/${channel}`));
  }
  const seenStores = new Set<string>();
  sku.storePrices.forEach((sp, i) => {
    if (seenStores.has(sp.storeId)) {
      errors.push({ field: `${field}/storePrices/${i}/storeId`, message: `duplicate store ${sp.storeId}` });
    }
    seenStores.add(sp.storeId);
    errors.push(...priceErrors(sp.price, `${field}/storePrices/${i}/price`));
  });
  return errors;
}

/**
 * Rules that keep a SKU sellable once listed: a channel it is listed on has a base price (orders ask
 * for authoritative prices and must always get one).
 */
function listingProblems(sku: Sku): string[] {
  return sku.listing.channels
    .filter((channel) => !sku.prices[channel])
    .map((channel) => `SKU ${sku.sku} is listed on ${channel} but has no ${channel} price`);
}

function assertListingsPriced(skus: Sku[]): void {
  const problems = skus.flatMap(listingProblems);
  if (problems.length > 0) throw new UnprocessableError('price-required', problems.join('; '), { problems });
}

export function newProduct(input: ProductInput, now: string): Product {
  const skus = input.skus.map(skuFromInput);
  const errors: FieldError[] = attributeErrors(input.attributes ?? {}, 'body');
  const seen = new Set<string>();
  skus.forEach((sku, i) => {
    if (seen.has(sku.sku)) errors.push({ field: `body/skus/${i}/sku`, message: `duplicate SKU ${sku.sku}` });
    seen.add(sku.sku);
    errors.push(...skuErrors(sku, `body/skus/${i}`));
  });
  if (errors.length > 0) throw new BadRequestError('The product is not valid', errors);
  assertListingsPriced(skus);
  return derive({
    _id: input.id,
    ...(input.kind === 'voucher' ? { kind: 'voucher' as const } : {}),
    name: input.name,
    description: input.description ?? '',
    categoryIds: [...new Set(input.categoryIds ?? [])],
    images: [...(input.images ?? [])],
    attributes: { ...(input.attributes ?? {}) },
    skus,
    status: 'draft',
    version: 1,
    createdAt: now,
    updatedAt: now,
    nameKey: '',
    searchPrefixes: [],
    skuIds: [],
    listedChannels: [],
    listedStores: [],
  });
}

/** Recomputes the derived fields (indexes and filters) from the content. */
export function derive(p: Product): Product {
  const listedChannels = CHANNELS.filter((c) => p.skus.some((s) => s.listing.channels.includes(c)));
  const stores = new Set<string>();
  for (const s of p.skus) {
    if (!s.listing.channels.includes('store')) continue;
    if (s.listing.stores === undefined) stores.add(ALL_STORES);
    else for (const id of s.listing.stores) stores.add(id);
  }
  return {
    ...p,
    nameKey: sortKey(p.name),
    searchPrefixes: searchPrefixes(p.name),
    skuIds: p.skus.map((s) => s.sku),
    listedChannels,
    listedStores: [...stores].sort(),
    parityGaps: parityGaps(p).length,
  };
}

function skuIndex(p: Product, sku: string): number {
  const i = p.skus.findIndex((s) => s.sku === sku);
  if (i < 0) throw new UnprocessableError('unknown-sku', `product ${p._id} has no SKU ${sku}`);
  return i;
}

function withSku(p: Product, index: number, next: Sku): Product {
  const skus = p.skus.slice();
  skus[index] = next;
  return { ...p, skus };
}

// ---------------------------------------------------------------------------------------------
// Changes. Each returns the next product (not yet versioned) and what changed; an empty `changed`
// means a no-op (the app layer then writes nothing and emits nothing).

export interface ContentPatch {
  name?: string;
  description?: string;
  categoryIds?: string[];
  images?: string[];
  attributes?: Record<string, string>;
}

export interface Change {
  product: Product;
  changed: string[];
}

export function updateContent(p: Product, patch: ContentPatch): Change {
  const changed: string[] = [];
  const next: Product = { ...p };
  if (patch.name !== undefined && patch.name !== p.name) {
    next.name = patch.name;
    changed.push('name');
  }
  if (patch.description !== undefined && patch.description !== p.description) {
    next.description = patch.description;
    changed.push('description');
  }
  if (patch.categoryIds !== undefined) {
    const ids = [...new Set(patch.categoryIds)];
    if (!sameList(ids, p.categoryIds)) {
      next.categoryIds = ids;
      changed.push('categoryIds');
    }
  }
  if (patch.images !== undefined && !sameList(patch.images, p.images)) {
    next.images = [...patch.images];
    changed.push('images');
  }
  if (patch.attributes !== undefined && !sameRecord(patch.attributes, p.attributes)) {
    next.attributes = { ...patch.attributes };
    changed.push('attributes');
  }
  return { product: derive(next), changed };
}

export function addSku(p: Product, input: SkuInput): Change {
  if (p.skus.some((s) => s.sku === input.sku)) {
    throw new ConflictError('sku-exists', `SKU ${input.sku} already exists`, { sku: input.sku });
  }
  const sku = skuFromInput(input);
  const errors = skuErrors(sku, 'body');
  if (errors.length > 0) throw new BadRequestError('The SKU is not valid', errors);
  assertListingsPriced([sku]);
  return { product: derive({ ...p, skus: [...p.skus, sku] }), changed: [`skus/${sku.sku}`] };
}

export interface SkuPatch {
  /** `null` removes the barcode. */
  barcode?: string | null;
  attributes?: Record<string, string>;
  images?: string[];
  /** `null` removes the limit. */
  purchaseLimit?: PurchaseLimit | null;
}

export function updateSku(p: Product, skuId: string, patch: SkuPatch): Change {
  const i = skuIndex(p, skuId);
  const current = p.skus[i]!;
  const next: Sku = { ...current };
  const changed: string[] = [];
  if (patch.barcode !== undefined && patch.barcode !== (current.barcode ?? null)) {
    if (patch.barcode === null) delete next.barcode;
    else {
      const problem = barcodeProblem(patch.barcode);
      if (problem) throw new BadRequestError('The SKU is not valid', [{ field: 'body/barcode', message: problem }]);
      next.barcode = patch.barcode;
    }
    changed.push(`skus/${skuId}/barcode`);
  }
  if (patch.attributes !== undefined && !sameRecord(patch.attributes, current.attributes)) {
    next.attributes = { ...patch.attributes };
    changed.push(`skus/${skuId}/attributes`);
  }
  if (patch.images !== undefined && !sameList(patch.images, current.images)) {
    next.images = [...patch.images];
    changed.push(`skus/${skuId}/images`);
  }
  if (patch.purchaseLimit !== undefined) {
    const was = current.purchaseLimit;
    const now = patch.purchaseLimit;
    if (now === null ? was !== undefined : was?.qty !== now.qty || was?.period !== now.period) {
      if (now === null) delete next.purchaseLimit;
      else next.purchaseLimit = { qty: now.qty, period: now.period };
      changed.push(`skus/${skuId}/purchaseLimit`);
    }
  }
  return { product: withSku(p, i, next), changed };
}

export function setListing(p: Product, skuId: string, listing: Listing): Change {
  const i = skuIndex(p, skuId);
  const current = p.skus[i]!;
  const normalised = normaliseListing(listing);
  if (sameListing(normalised, current.listing)) return { product: p, changed: [] };
  const next: Sku = { ...current, listing: normalised };
  assertListingsPriced([next]);
  return { product: derive(withSku(p, i, next)), changed: [`skus/${skuId}/listing`] };
}

export interface PriceTarget {
  sku: string;
  channel: Channel;
  /** A per-store override (store channel only). */
  storeId?: string;
}

export interface PriceChange {
  product: Product;
  /** The price that applied to this target before (the base price when an override is new). */
  previous?: Money;
  /** The price that applies now (the base store price after an override is removed). */
  price?: Money;
  changed: boolean;
}

/** Sets (price given) or removes (null) a channel price or a store override. */
export function setPrice(p: Product, target: PriceTarget, price: Money | null): PriceChange {
  const i = skuIndex(p, target.sku);
  const current = p.skus[i]!;
  if (price) {
    const errors = priceErrors(price, 'body/price');
    if (errors.length > 0) throw new BadRequestError('The price is not valid', errors);
  }
  if (target.storeId !== undefined) {
    if (target.channel !== 'store') {
      throw new BadRequestError('Store overrides apply to the store channel', [
        { field: 'channel', message: 'must be store for a per-store price' },
      ]);
    }
    const storeId = target.storeId;
    const existing = current.storePrices.find((sp) => sp.storeId === storeId);
    const previous = existing?.price ?? current.prices.store;
    if (price === null) {
      if (!existing) return { product: p, previous, price: previous, changed: false };
      const next: Sku = { ...current, storePrices: current.storePrices.filter((sp) => sp.storeId !== storeId) };
      return { product: withSku(p, i, next), previous, price: current.prices.store, changed: true };
    }
    if (existing && sameMoney(existing.price, price)) return { product: p, previous, price, changed: false };
    const storePrices = existing
      ? current.storePrices.map((sp) => (sp.storeId === storeId ? { storeId, price } : sp))
      : [...current.storePrices, { storeId, price }];
    return { product: withSku(p, i, { ...current, storePrices }), previous, price, changed: true };
  }
  const previous = current.prices[target.channel];
  if (price === null) {
    // A base price is changed, never removed: unlisting the channel is how a SKU stops selling there,
    // and every PriceChanged event can then carry the price that applies.
    throw new UnprocessableError('price-required', `the ${target.channel} price of ${target.sku} can be changed, not removed`);
  }
  if (sameMoney(previous, price)) return { product: p, previous, price, changed: false };
  const next: Sku = { ...current, prices: { ...current.prices, [target.channel]: price } };
  return { product: withSku(p, i, next), previous, price, changed: true };
}

export function publish(p: Product, now: string): Product {
  if (p.status === 'published') throw new ConflictError('already-published', `product ${p._id} is already published`);
  if (p.listedChannels.length === 0) {
    throw new UnprocessableError('nothing-listed', `product ${p._id} has no SKU listed on any channel`);
  }
  return { ...p, status: 'published', publishedAt: now };
}

export function unpublish(p: Product): Product {
  if (p.status !== 'published') throw new ConflictError('not-published', `product ${p._id} is not published`);
  const next: Product = { ...p, status: 'draft' };
  delete next.publishedAt;
  return next;
}

// ---------------------------------------------------------------------------------------------
// Reads: prices and sellability

/** The price a SKU sells for on a channel (store override first when a store is given). */
export function priceFor(sku: Sku, channel: Channel, storeId?: string): Money | undefined {
  if (channel === 'store' && storeId !== undefined) {
    const override = sku.storePrices.find((sp) => sp.storeId === storeId);
    if (override) return override.price;
  }
  return sku.prices[channel];
}

/** Whether the SKU is listed on the channel (and, for the store channel, at that store). */
export function isListed(sku: Sku, channel: Channel, storeId?: string): boolean {
  if (!sku.listing.channels.includes(channel)) return false;
  if (channel === 'store' && storeId !== undefined && sku.listing.stores !== undefined) {
    return sku.listing.stores.includes(storeId);
  }
  return true;
}

export type NotSellableReason = 'unknown' | 'unpublished' | 'not-listed' | 'no-price';

export type Sellability =
  | { sellable: true; price: Money }
  | { sellable: false; reason: NotSellableReason; price?: Money };

export function sellability(p: Product | undefined, skuId: string, channel: Channel, storeId?: string): Sellability {
  const sku = p?.skus.find((s) => s.sku === skuId);
  if (!p || !sku) return { sellable: false, reason: 'unknown' };
  const price = priceFor(sku, channel, storeId);
  if (p.status !== 'published') return { sellable: false, reason: 'unpublished', ...(price ? { price } : {}) };
  if (!isListed(sku, channel, storeId)) return { sellable: false, reason: 'not-listed', ...(price ? { price } : {}) };
  if (!price) return { sellable: false, reason: 'no-price' };
  return { sellable: true, price };
}

// ---------------------------------------------------------------------------------------------

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sameListing(a: Listing, b: Listing): boolean {
  if (!sameList(a.channels, b.channels)) return false;
  if (a.stores === undefined || b.stores === undefined) return a.stores === b.stores;
  return sameList(a.stores, b.stores);
}
