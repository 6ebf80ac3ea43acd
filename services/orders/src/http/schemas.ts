import { Type } from 'typebox';
import { idSchema, SkuId, StoreId } from '@omni/kit';
import { ORDER_STATUSES } from '../domain/types';
import { TICKET_KINDS, TICKET_STATUSES } from '../domain/tickets';

/** Request schemas: bounded strings, numbers and arrays; no unknown members. */

export const Id = idSchema('A-Za-z0-9._:-', 128);
export const Sku = SkuId;
export const GeoPoint = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false },
);
export const Address = Type.Object(
  {
    lines: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 4 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    postalCode: Type.String({ maxLength: 20 }),
    country: Type.String({ maxLength: 2, pattern: '^[A-Z]{2}$' }),
    geo: Type.Optional(GeoPoint),
  },
  { additionalProperties: false },
);

export const RequestedPromise = Type.Union([
  Type.Object({ kind: Type.Literal('asap') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('slot'), from: Type.String({ format: 'date-time', maxLength: 40 }) },
    { additionalProperties: false },
  ),
]);

const QuoteLines = Type.Array(
  Type.Object({ sku: Sku, qty: Type.Integer({ minimum: 1, maximum: 999 }) }, { additionalProperties: false }),
  { minItems: 1, maxItems: 100 },
);

/** A quote: the basket and where the customer is (no side effects). */
export const QuoteBody = Type.Object(
  {
    channel: Type.Optional(
      Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('phone')]),
    ),
    lines: QuoteLines,
    /** The delivery address (with its geocoded point) or just the point. */
    address: Type.Optional(Address),
    geo: Type.Optional(GeoPoint),
  },
  { additionalProperties: false },
);

export const PlaceOrderBody = Type.Object(
  {
    channel: Type.Optional(
      Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('phone')]),
    ),
    /** Staff, ops and phone agents name the customer; customers order for themselves (token). */
    customerId: Type.Optional(Id),
    lines: Type.Array(
      Type.Object(
        { sku: Sku, qty: Type.Integer({ minimum: 1, maximum: 999 }) },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: 100,
      },
    ),
    fulfilment: Type.Object(
      {
        method: Type.Union([
          Type.Literal('ship'),
          Type.Literal('pickup'),
          Type.Literal('delivery'),
          /** Only lines of catalog kind `voucher`: codes are issued on confirmation, nothing reserved. */
          Type.Literal('voucher'),
        ]),
        /** Pickup: the store. */
        storeId: Type.Optional(StoreId),
        /** Pickup: switch to the nearest store with everything when the chosen one cannot serve. */
        allowAlternativeStore: Type.Optional(Type.Boolean()),
        /** Ship and delivery: where to (delivery needs its geo point). */
        address: Type.Optional(Address),
        /** Delivery: the destination point if not in the address; pickup: the customer's point. */
        geo: Type.Optional(GeoPoint),
        /** Delivery: ASAP (default) or one of the slots `POST /v1/quotes` offered (its `from`). */
        promise: Type.Optional(RequestedPromise),
      },
      { additionalProperties: false },
    ),
    payment: Type.Object(
      {
        method: Type.Union([Type.Literal('card'), Type.Literal('cod')]),
        /** Tokenised card from the payment page (never a card number). */
        cardToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
      },
      { additionalProperties: false },
    ),
    pointsToRedeem: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    /** A coupon from the customer's wallet (customers `GET /v1/customers/{id}/coupons`): money off this order. */
    couponId: Type.Optional(Id),
    /**
     * Staff spending a member's points prove the member is there: the scanned member card, or the
     * one-time code customers sent the member (`POST customers /v1/stores/{id}/members/{cid}/presence-codes`).
     */
    memberProof: Type.Optional(
      Type.Union([
        Type.Object(
          { memberCard: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9 -]+$' }) },
          { additionalProperties: false },
        ),
        Type.Object(
          { codeId: Id, code: Type.String({ maxLength: 6, pattern: '^[0-9]{6}$' }) },
          { additionalProperties: false },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const OrderParams = Type.Object({ orderId: Id }, { additionalProperties: false });
export const ReturnParams = Type.Object({ orderId: Id, returnId: Id }, { additionalProperties: false });

export const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);

export const ShipBody = Type.Object(
  {
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const ReturnRequestBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          qty: Type.Integer({ minimum: 1, maximum: 999 }),
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

export const ReturnReceiveBody = Type.Object(
  {
    /** Store or warehouse where the goods came back. */
    locationId: Id,
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          qty: Type.Integer({ minimum: 1, maximum: 999 }),
          disposition: Type.Union([Type.Literal('restock'), Type.Literal('write_off')]),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);

export const ListOrdersQuery = Type.Object(
  {
    /** Comma-separated statuses. */
    status: Type.Optional(
      Type.String({
        maxLength: 200,
        pattern: `^(${ORDER_STATUSES.join('|')})(,(${ORDER_STATUSES.join('|')}))*$`,
      }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    customerId: Type.Optional(Id),
    storeId: Type.Optional(Id),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const ReturnDecisionBody = Type.Object(
  {
    accept: Type.Boolean(),
    /** Required to refuse. */
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);

export const WriteOffDecisionBody = Type.Object(
  { refund: Type.Boolean(), reason: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false },
);

export const ProductParams = Type.Object({ productId: Id }, { additionalProperties: false });
export const ReturnPolicyBody = Type.Object(
  { windowDays: Type.Integer({ minimum: 0, maximum: 730 }) },
  { additionalProperties: false },
);
export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const TicketParams = Type.Object({ ticketId: Id }, { additionalProperties: false });
export const OpenTicketBody = Type.Object(
  {
    kind: Type.Union(TICKET_KINDS.map((k) => Type.Literal(k))),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const TicketNoteBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const AssignTicketBody = Type.Object(
  {
    /** A colleague to give the ticket to; absent: the caller takes it. */
    owner: Type.Optional(
      Type.Object(
        {
          sub: Type.String({ minLength: 1, maxLength: 200 }),
          role: Type.String({ minLength: 1, maxLength: 40 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export const TicketStatusBody = Type.Object(
  {
    status: Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s))),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const ListTicketsQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s)))),
    storeId: Type.Optional(Id),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const ExchangeBody = Type.Object(
  {
    returnLines: ReturnRequestBody.properties.lines,
    replacementLines: PlaceOrderBody.properties.lines,
    payment: PlaceOrderBody.properties.payment,
    fulfilment: Type.Optional(PlaceOrderBody.properties.fulfilment),
  },
  { additionalProperties: false },
);
