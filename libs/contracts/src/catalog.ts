import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { Channel, Id, Money, Sku } from './common';

/** Topic `omni.catalog.product`, key = productId. */
const topic = 'omni.catalog.product';

const SkuSummary = Type.Object({
  sku: Sku,
  barcode: Type.Optional(Type.String()),
  attributes: Type.Record(Type.String(), Type.String()),
});

export const ProductCreated = defineEvent({
  type: 'omni.catalog.product.created.v1',
  topic,
  description: 'A product (with its SKUs) was created; not yet sellable until published.',
  schema: Type.Object({
    productId: Id,
    name: Type.String(),
    categoryIds: Type.Array(Id),
    skus: Type.Array(SkuSummary),
  }),
});

export const ProductUpdated = defineEvent({
  type: 'omni.catalog.product.updated.v1',
  topic,
  description: 'Product content changed (name, categories, SKUs, attributes, images).',
  schema: Type.Object({
    productId: Id,
    name: Type.String(),
    categoryIds: Type.Array(Id),
    skus: Type.Array(SkuSummary),
    changed: Type.Array(Type.String()),
  }),
});

export const PriceChanged = defineEvent({
  type: 'omni.catalog.product.price-changed.v1',
  topic,
  description: 'The price of a SKU on a channel (or a store override) changed.',
  schema: Type.Object({
    productId: Id,
    sku: Sku,
    channel: Channel,
    /** Present for a per-store override. */
    storeId: Type.Optional(Id),
    price: Money,
    previous: Type.Optional(Money),
  }),
});

export const ProductPublished = defineEvent({
  type: 'omni.catalog.product.published.v1',
  topic,
  description: 'The product is sellable on the listed channels.',
  schema: Type.Object({ productId: Id, skus: Type.Array(Sku), channels: Type.Array(Channel) }),
});

export const ProductUnpublished = defineEvent({
  type: 'omni.catalog.product.unpublished.v1',
  topic,
  description: 'The product is no longer sellable.',
  schema: Type.Object({ productId: Id, skus: Type.Array(Sku) }),
});

export const ProductDeleted = defineEvent({
  type: 'omni.catalog.product.deleted.v1',
  topic,
  description:
    'A draft product (never sellable at the time) was deleted with its SKUs; the SKU codes are free again.',
  schema: Type.Object({ productId: Id, skus: Type.Array(Sku) }),
});

export const catalogEvents = [
  ProductCreated,
  ProductUpdated,
  PriceChanged,
  ProductPublished,
  ProductUnpublished,
  ProductDeleted,
];
