import { Type } from 'typebox';
import { EntityId, SkuId, StoreId } from '@omni/kit';

/** Shared HTTP schemas (request bounds + response shapes for OpenAPI). */

export const Id = EntityId;
export const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });
export const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10 });
export const Money = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }),
  },
  { additionalProperties: false },
);
/** A typed code: 12 symbols, dashes and spaces allowed. */
export const Code = Type.String({ minLength: 12, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$' });
export const Qr = Type.String({ minLength: 10, maxLength: 1024, pattern: '^[A-Za-z0-9._-]+$' });
export const ClientOpId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' });

export const StoreParams = Type.Object({ storeId: StoreId });
export const VoucherParams = Type.Object({ voucherId: Id });

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const Paged = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const MoneyView = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });

export const OfferKind = Type.Union([Type.Literal('service'), Type.Literal('goods'), Type.Literal('value')]);
export const GoodsLine = Type.Object(
  { sku: SkuId, qty: Type.Integer({ minimum: 1, maximum: 100 }) },
  { additionalProperties: false },
);
export const Limits = Type.Object(
  {
    perStorePerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    perVoucherPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

export const OfferBody = Type.Object(
  {
    id: Id,
    sku: SkuId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: OfferKind,
    faceValue: Type.Optional(Money),
    goods: Type.Optional(Type.Array(GoodsLine, { minItems: 1, maxItems: 20 })),
    stores: Type.Optional(Type.Array(StoreId, { maxItems: 500 })),
    validFrom: IsoTime,
    validUntil: IsoTime,
    validDaysAfterPurchase: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660 })),
    excludedWeekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
    excludedDates: Type.Optional(Type.Array(Day, { maxItems: 366 })),
    limits: Type.Optional(Limits),
    refundOnRequest: Type.Optional(Type.Boolean()),
    refundOnExpiry: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const OfferView = Type.Object({
  offerId: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  kind: OfferKind,
  faceValue: Type.Optional(MoneyView),
  goods: Type.Optional(Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer() }))),
  stores: Type.Array(Type.String(), { description: 'Where it may be redeemed; empty = every store' }),
  validFrom: Type.String(),
  validUntil: Type.String(),
  validDaysAfterPurchase: Type.Optional(Type.Integer()),
  excludedWeekdays: Type.Array(Type.Integer(), { description: 'UTC weekdays, 0 = Sunday' }),
  excludedDates: Type.Array(Type.String(), { description: 'UTC days' }),
  limits: Type.Object({
    perStorePerDay: Type.Optional(Type.Integer()),
    perVoucherPerDay: Type.Optional(Type.Integer()),
  }),
  refundOnRequest: Type.Boolean(),
  refundOnExpiry: Type.Boolean(),
  createdAt: Type.String(),
});

export const VoucherStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('used'),
  Type.Literal('expired'),
  Type.Literal('refunded'),
  Type.Literal('void'),
]);

export const StaffVoucherView = Type.Object({
  voucherId: Type.String(),
  offerId: Type.String(),
  orderId: Type.String(),
  sku: Type.String(),
  kind: OfferKind,
  status: VoucherStatus,
  face: MoneyView,
  remaining: MoneyView,
  redemptions: Type.Integer(),
  validFrom: Type.String(),
  validUntil: Type.String(),
});

export const CustomerVoucherView = Type.Object({
  ...StaffVoucherView.properties,
  pricePaid: MoneyView,
  refund: Type.Optional(Type.Object({ amount: MoneyView, reason: Type.String(), at: Type.String() })),
  code: Type.Union([Type.String(), Type.Null()], { description: 'XXXX-XXXX-XXXX while redeemable' }),
  qr: Type.Union([Type.String(), Type.Null()], { description: 'Ed25519-signed QR payload while redeemable' }),
});

export const RedemptionView = Type.Object({
  redemptionId: Type.String(),
  voucherId: Type.String(),
  offerId: Type.String(),
  orderId: Type.String(),
  storeId: Type.String(),
  clerk: Type.String(),
  amount: MoneyView,
  settlement: MoneyView,
  redeemedAt: Type.String(),
  recordedAt: Type.String(),
  offline: Type.Boolean(),
  clientOpId: Type.Optional(Type.String()),
  movement: Type.Optional(
    Type.Object({
      reservationId: Type.String(),
      status: Type.String(),
      detail: Type.Optional(Type.String()),
    }),
  ),
});

export const ConflictView = Type.Object({
  conflictId: Type.String(),
  kind: Type.String(),
  storeId: Type.Optional(Type.String()),
  voucherId: Type.String(),
  orderId: Type.String(),
  clientOpId: Type.Optional(Type.String()),
  clerk: Type.Optional(Type.String()),
  offlineRedeemedAt: Type.Optional(Type.String()),
  amount: Type.Optional(MoneyView),
  detail: Type.String(),
  acceptedRedemptions: Type.Array(Type.String()),
  detectedAt: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  resolvedAt: Type.Optional(Type.String()),
  resolvedBy: Type.Optional(Type.String()),
  resolution: Type.Optional(Type.String()),
});
