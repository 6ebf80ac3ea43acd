import { Type, type Static } from 'typebox';
import { idSchema, SkuId, StoreId as KitStoreId } from '@omni/kit';
import { MAX_PRICE_MINOR } from '../domain/money';

/** Request schemas: every string, number and array bounded; bodies closed (`additionalProperties: false`). */

const closed = { additionalProperties: false } as const;

export const EntityId = idSchema('A-Za-z0-9._-', 64);
export const SkuCode = SkuId;
/** Store ids are inventory's location ids. */
export const StoreId = KitStoreId;
export const Channel = Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('phone')]);
export const Version = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Integer minor units (no floats, no negatives) + ISO 4217 code (checked against the known list too). */
export const Money = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, maximum: MAX_PRICE_MINOR }),
    currency: Type.String({ maxLength: 3, pattern: '^[A-Z]{3}$' }),
  },
  closed,
);

export const Attributes = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,39}$' }),
  Type.String({ maxLength: 200 }),
  { maxProperties: 30, additionalProperties: false },
);
export const ImageUrls = Type.Array(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }), { maxItems: 20 });
export const Barcode = Type.String({ minLength: 1, maxLength: 14 });

export const Listing = Type.Object(
  {
    channels: Type.Array(Channel, { maxItems: 3, uniqueItems: true }),
    /** Store channel only: the stores that sell it; omitted = every store. */
    stores: Type.Optional(Type.Array(StoreId, { maxItems: 2000 })),
  },
  closed,
);

export const Prices = Type.Object(
  { online: Type.Optional(Money), store: Type.Optional(Money), phone: Type.Optional(Money) },
  closed,
);

export const PurchaseLimitBody = Type.Object(
  {
    qty: Type.Integer({ minimum: 1, maximum: 10_000 }),
    period: Type.Union([Type.Literal('day'), Type.Literal('week')]),
  },
  { ...closed, description: 'At most qty units per customer per calendar period (UTC; weeks start on Monday), across channels.' },
);

export const SkuBody = Type.Object(
  {
    sku: SkuCode,
    barcode: Type.Optional(Barcode),
    attributes: Type.Optional(Attributes),
    images: Type.Optional(ImageUrls),
    prices: Type.Optional(Prices),
    storePrices: Type.Optional(Type.Array(Type.Object({ storeId: StoreId, price: Money }, closed), { maxItems: 2000 })),
    listing: Type.Optional(Listing),
    purchaseLimit: Type.Optional(PurchaseLimitBody),
  },
  closed,
);
export type SkuBody = Static<typeof SkuBody>;

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 5000 });
const CategoryIds = Type.Array(EntityId, { maxItems: 10 });

export const CreateProductBody = Type.Object(
  {
    id: Type.Optional(EntityId),
    /** `voucher`: sold as a code redeemed in a store (terms in the vouchers service); no stock reserved. */
    kind: Type.Optional(Type.Union([Type.Literal('goods'), Type.Literal('voucher')])),
    name: Name,
    description: Type.Optional(Description),
    categoryIds: Type.Optional(CategoryIds),
    images: Type.Optional(ImageUrls),
    attributes: Type.Optional(Attributes),
    skus: Type.Array(SkuBody, { minItems: 1, maxItems: 100 }),
  },
  closed,
);

export const UpdateProductBody = Type.Object(
  {
    version: Type.Optional(Version),
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    categoryIds: Type.Optional(CategoryIds),
    images: Type.Optional(ImageUrls),
    attributes: Type.Optional(Attributes),
  },
  closed,
);

export const UpdateSkuBody = Type.Object(
  {
    version: Type.Optional(Version),
    barcode: Type.Optional(Type.Union([Barcode, Type.Null()])),
    attributes: Type.Optional(Attributes),
    images: Type.Optional(ImageUrls),
    /** null removes the limit. */
    purchaseLimit: Type.Optional(Type.Union([PurchaseLimitBody, Type.Null()])),
  },
  closed,
);

export const AddSkuBody = Type.Object({ version: Type.Optional(Version), ...SkuBody.properties }, closed);

export const ListingBody = Type.Object({ version: Type.Optional(Version), ...Listing.properties }, closed);
export const PriceBody = Type.Object({ version: Type.Optional(Version), price: Money }, closed);
export const VersionBody = Type.Object({ version: Type.Optional(Version) }, closed);

export const CreateCategoryBody = Type.Object(
  { id: Type.Optional(EntityId), name: Name, parentId: Type.Optional(Type.Union([EntityId, Type.Null()])) },
  closed,
);
export const UpdateCategoryBody = Type.Object(
  { version: Type.Optional(Version), name: Type.Optional(Name), parentId: Type.Optional(Type.Union([EntityId, Type.Null()])) },
  closed,
);

export const Limit = (max: number, dflt: number) => Type.Integer({ minimum: 1, maximum: max, default: dflt });
export const Cursor = Type.String({ minLength: 1, maxLength: 512 });

export const SalesQuery = {
  channel: Type.Optional(Channel),
  storeId: Type.Optional(StoreId),
};

export const ProductParams = Type.Object({ productId: EntityId });
export const SkuParams = Type.Object({ productId: EntityId, sku: SkuCode });
