import { Type } from 'typebox';

/** Shared value schemas used inside event payloads. Same meaning as proto/omni/common/v1. */

export const Id = Type.String({ minLength: 1, maxLength: 128 });
export const Sku = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
export const IsoTime = Type.String({ format: 'date-time' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
/** Integer minor units (cents) + ISO 4217 currency. */
export const Money = Type.Object({ amountMinor: Type.Integer(), currency: Currency });
export const GeoPoint = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
});
export const Address = Type.Object({
  lines: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 4 }),
  city: Type.String({ maxLength: 100 }),
  postalCode: Type.String({ maxLength: 20 }),
  country: Type.String({ pattern: '^[A-Z]{2}$' }),
  geo: Type.Optional(GeoPoint),
});
export const Channel = Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('phone')]);
export const FulfilmentMethod = Type.Union([
  Type.Literal('ship'),
  Type.Literal('pickup'),
  Type.Literal('delivery'),
  /** Voucher-only orders: nothing is shipped or reserved; the vouchers service issues the codes. */
  Type.Literal('voucher'),
]);
/**
 * What the customer was promised at checkout: ASAP delivery (by `to`), a delivery slot (`from`–`to`),
 * ready for pickup by `to`, or shipped by `to`. ISO-8601 UTC.
 */
export const OrderPromise = Type.Object({
  kind: Type.Union([
    Type.Literal('asap'),
    Type.Literal('slot'),
    Type.Literal('pickup'),
    Type.Literal('ship'),
  ]),
  from: IsoTime,
  to: IsoTime,
});
export const Line = Type.Object({ sku: Sku, qty: Type.Integer({ minimum: 1 }) });
export const PricedLine = Type.Object({
  sku: Sku,
  qty: Type.Integer({ minimum: 1 }),
  unitPrice: Money,
  name: Type.Optional(Type.String()),
});
/** Who did it: an account subject and its role, or a system job. */
export const Actor = Type.Object({ sub: Type.String(), role: Type.String() });
