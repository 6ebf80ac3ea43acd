import { Type } from 'typebox';

/** Response schemas: OpenAPI documentation and fast serialisation (fields not listed are dropped). */

const MoneyOut = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });
const Channel = Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('phone')]);
const Level = Type.Union([Type.Literal('in_stock'), Type.Literal('low'), Type.Literal('out')]);
const LevelAt = Type.Object({ available: Type.Integer(), level: Level });
const StringMap = Type.Record(Type.String(), Type.String());

const SkuOut = Type.Object({
  sku: Type.String(),
  barcode: Type.Optional(Type.String()),
  attributes: StringMap,
  images: Type.Array(Type.String()),
  price: Type.Union([MoneyOut, Type.Null()], { description: 'Price for the requested channel (store override when storeId given).' }),
  sellable: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'Why not sellable: unpublished, not-listed, no-price.' })),
  prices: Type.Object({ online: Type.Optional(MoneyOut), store: Type.Optional(MoneyOut), phone: Type.Optional(MoneyOut) }),
  storePrices: Type.Array(Type.Object({ storeId: Type.String(), price: MoneyOut })),
  listing: Type.Object({ channels: Type.Array(Channel), stores: Type.Optional(Type.Array(Type.String())) }),
  purchaseLimit: Type.Optional(Type.Object({ qty: Type.Integer(), period: Type.String() })),
  availability: Type.Object({
    online: LevelAt,
    stores: Type.Array(Type.Object({ storeId: Type.String(), available: Type.Integer(), level: Level })),
    store: Type.Optional(LevelAt),
    version: Type.Integer({ description: "Inventory's snapshot version; 0 = not reported yet." }),
  }),
});

export const ProductOut = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('goods'), Type.Literal('voucher')], {
    description: 'voucher: sold as a code redeemed in a store; no stock is reserved when ordered',
  }),
  name: Type.String(),
  description: Type.String(),
  categoryIds: Type.Array(Type.String()),
  images: Type.Array(Type.String()),
  attributes: StringMap,
  status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  channel: Channel,
  storeId: Type.Optional(Type.String()),
  availability: Type.Object({ online: Level, store: Type.Optional(Level) }),
  skus: Type.Array(SkuOut),
});

export const ProductPageOut = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      categoryIds: Type.Array(Type.String()),
      image: Type.Union([Type.String(), Type.Null()]),
      status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
      version: Type.Integer(),
      priceFrom: Type.Union([MoneyOut, Type.Null()]),
      availability: Level,
      skuCount: Type.Integer(),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const CategoryOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
});

export const CategoryDetailOut = Type.Object({
  ...CategoryOut.properties,
  path: Type.Array(CategoryOut),
  children: Type.Array(CategoryOut),
});

export const CategoryPageOut = Type.Object({ items: Type.Array(CategoryOut), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const SkuAnswersOut = Type.Object({
  items: Type.Array(
    Type.Object({
      sku: Type.String(),
      productId: Type.String(),
      name: Type.String(),
      sellable: Type.Boolean(),
      price: Type.Optional(MoneyOut),
      reason: Type.Optional(Type.String({ description: 'unknown, unpublished, not-listed, no-price' })),
      kind: Type.Union([Type.Literal('goods'), Type.Literal('voucher')]),
    }),
  ),
});
