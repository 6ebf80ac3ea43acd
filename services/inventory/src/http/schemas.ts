import { Type } from 'typebox';
import { idSchema, SkuId, StoreId } from '@omni/kit';
import { MAX_LINES, MAX_QTY } from '../domain/validation';

/** Request schemas: every string, number and array bounded; bodies closed (`additionalProperties: false`). */

export const closed = { additionalProperties: false } as const;

/** Location, reservation, transfer and client op ids ('|' is reserved for ledger op ids). */
export const Id = idSchema('A-Za-z0-9._:-', 128);
/** Locations are stores and warehouses: one id space, the stores' pattern. */
export const LocationId = StoreId;
export const Sku = SkuId;
export const Qty = Type.Integer({ minimum: 1, maximum: MAX_QTY });
export const CountedQty = Type.Integer({ minimum: 0, maximum: MAX_QTY });
export const Line = Type.Object({ sku: Sku, qty: Qty }, closed);
export const Lines = Type.Array(Line, { minItems: 1, maxItems: MAX_LINES });
export const Channel = Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('phone')]);
export const Capability = Type.Union([
  Type.Literal('ships'),
  Type.Literal('pickup'),
  Type.Literal('local-delivery'),
]);
export const LocationType = Type.Union([Type.Literal('warehouse'), Type.Literal('store')]);
export const LocationStatus = Type.Union([Type.Literal('active'), Type.Literal('paused')]);
export const Reason = Type.String({ minLength: 1, maxLength: 200 });
export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
export const Cursor = Type.String({ minLength: 1, maxLength: 512 });
export const PageQuery = { limit: Limit, cursor: Type.Optional(Cursor) };

export const GeoPoint = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
  closed,
);
export const Address = Type.Object(
  {
    lines: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 4 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: Type.String({ maxLength: 2, pattern: '^[A-Z]{2}$' }),
  },
  closed,
);
const HourMinute = Type.String({ maxLength: 5, pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
export const OpeningWindow = Type.Object(
  {
    day: Type.Union(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => Type.Literal(d))),
    open: HourMinute,
    close: HourMinute,
  },
  closed,
);
export const Capabilities = Type.Array(Capability, { maxItems: 3, uniqueItems: true });

export const LocationBody = Type.Object(
  {
    id: Type.Optional(LocationId),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: LocationType,
    address: Address,
    geo: GeoPoint,
    openingHours: Type.Optional(Type.Array(OpeningWindow, { maxItems: 21 })),
    capabilities: Capabilities,
    status: Type.Optional(LocationStatus),
  },
  closed,
);

export const LocationPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    address: Type.Optional(Address),
    geo: Type.Optional(GeoPoint),
    openingHours: Type.Optional(Type.Array(OpeningWindow, { maxItems: 21 })),
    capabilities: Type.Optional(Capabilities),
  },
  { ...closed, minProperties: 1 },
);

export const ReserveBody = Type.Object(
  {
    reservationId: Type.Optional(Id),
    locationId: Id,
    lines: Lines,
    // The configured maximum (maxReservationTtlSeconds) is checked by the use case.
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 24 * 3600 })),
    orderId: Type.Optional(Id),
    channel: Type.Optional(Channel),
  },
  closed,
);

export const ReleaseBody = Type.Object(
  {
    lines: Type.Optional(Type.Array(Line, { maxItems: MAX_LINES })),
    reason: Type.Optional(Reason),
    operationId: Type.Optional(Id),
  },
  closed,
);

/** What reservation routes answer (also fixes the JSON serialisation of the hot path). */
export const ReservationView = Type.Object({
  reservationId: Type.String(),
  locationId: Type.String(),
  orderId: Type.Optional(Type.String()),
  channel: Type.String(),
  status: Type.String(),
  lines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer() })),
  requested: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer() })),
  expiresAt: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  releaseReason: Type.Optional(Type.String()),
  atRisk: Type.Optional(
    Type.Object({
      shortLines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer() })),
      at: Type.String(),
      cause: Type.Object({ kind: Type.String(), opId: Type.Optional(Type.String()) }),
    }),
  ),
});

/** What the till charged per unit: passed on to customers (points), never interpreted here. */
export const TillPrice = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    currency: Type.String({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' }),
  },
  closed,
);

export const TillMember = Type.Object(
  {
    card: Type.Optional(Type.String({ minLength: 4, maxLength: 64, pattern: '^[A-Za-z0-9 -]+$' })),
    phone: Type.Optional(Type.String({ minLength: 6, maxLength: 32, pattern: '^[+0-9 ().-]+$' })),
  },
  { ...closed, minProperties: 1 },
);

export const PosOpBody = Type.Object(
  {
    clientOpId: Id,
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    type: Type.Union([
      Type.Literal('sale'),
      Type.Literal('return'),
      Type.Literal('receipt'),
      Type.Literal('count'),
    ]),
    /** For `count` the qty is the counted quantity and may be 0. */
    lines: Type.Array(
      Type.Object({ sku: Sku, qty: CountedQty, unitPrice: Type.Optional(TillPrice) }, closed),
      { minItems: 1, maxItems: 50 },
    ),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    /** Sales and returns: the member the till identified (card scanned or phone typed). */
    member: Type.Optional(TillMember),
    /** A return: the clientOpId of the sale it reverses, when the till knows it. */
    returnOf: Type.Optional(Id),
  },
  closed,
);

export const PosSyncBody = Type.Object(
  { ops: Type.Array(PosOpBody, { minItems: 1, maxItems: 1000 }), force: Type.Optional(Type.Boolean()) },
  closed,
);

export const TransferBody = Type.Object(
  {
    transferId: Type.Optional(Id),
    fromLocationId: Id,
    toLocationId: Id,
    lines: Lines,
    note: Type.Optional(Reason),
  },
  closed,
);

export const ReceiveTransferBody = Type.Object(
  {
    lines: Type.Optional(
      Type.Array(Type.Object({ sku: Sku, receivedQty: CountedQty }, closed), { maxItems: MAX_LINES }),
    ),
  },
  closed,
);

export const CountBody = Type.Object(
  {
    countId: Id,
    lines: Type.Array(Type.Object({ sku: Sku, countedQty: CountedQty }, closed), {
      minItems: 1,
      maxItems: 500,
    }),
  },
  closed,
);

export const InboundReceiptBody = Type.Object(
  {
    receiptId: Id,
    supplierRef: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Match the delivery against this purchase order (placed, for this location). */
    purchaseOrderId: Type.Optional(Id),
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          acceptedQty: CountedQty,
          rejectedQty: Type.Optional(CountedQty),
          rejectReason: Type.Optional(Reason),
        },
        closed,
      ),
      { minItems: 1, maxItems: MAX_LINES },
    ),
  },
  closed,
);

export const AdjustmentBody = Type.Object(
  {
    adjustmentId: Id,
    sku: Sku,
    // Non-zero is checked by the use case (a problem naming the field).
    delta: Type.Integer({ minimum: -MAX_QTY, maximum: MAX_QTY }),
    reason: Type.Union([Type.Literal('adjustment'), Type.Literal('damage')]),
    note: Type.Optional(Reason),
  },
  closed,
);

export const StockSettingsBody = Type.Object(
  {
    safetyStock: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_QTY })),
    reorderPoint: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_QTY })),
  },
  { ...closed, minProperties: 1 },
);

export const FulfillmentBody = Type.Object(
  {
    lines: Lines,
    capability: Capability,
    near: Type.Optional(GeoPoint),
    radiusKm: Type.Optional(Type.Number({ minimum: 0, maximum: 20_000 })),
    excludeLocationIds: Type.Optional(Type.Array(Id, { maxItems: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  closed,
);

export const Note = Type.String({ minLength: 1, maxLength: 500 });

export const SuggestionTransferBody = Type.Object(
  { qty: Type.Optional(Qty), fromLocationId: Type.Optional(LocationId), note: Type.Optional(Note) },
  closed,
);

export const SuggestionOrderBody = Type.Object(
  {
    qty: Type.Optional(Qty),
    supplierId: Type.Optional(Id),
    /** Send the order to the supplier at once (else it stays a draft). */
    place: Type.Optional(Type.Boolean()),
    note: Type.Optional(Note),
  },
  closed,
);

export const DismissBody = Type.Object({ reason: Reason }, closed);

export const SuggestionStatus = Type.Union(
  ['open', 'transferred', 'ordered', 'dismissed'].map((s) => Type.Literal(s)),
);

export const RuleBody = Type.Object(
  {
    min: CountedQty,
    max: Qty,
    mode: Type.Optional(Type.Union(['auto', 'transfer', 'purchase'].map((m) => Type.Literal(m)))),
    enabled: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const SupplierBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    leadTimeDays: Type.Integer({ minimum: 0, maximum: 365 }),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
    skus: Type.Array(Sku, { maxItems: 1000 }),
  },
  closed,
);

export const PurchaseOrderBody = Type.Object(
  {
    purchaseOrderId: Type.Optional(Id),
    supplierId: Id,
    locationId: LocationId,
    lines: Lines,
    note: Type.Optional(Note),
    place: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const PlaceOrderBody = Type.Object(
  { expectedAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })) },
  closed,
);

export const CancelOrderBody = Type.Object({ reason: Type.Optional(Reason) }, closed);

export const PurchaseOrderStatus = Type.Union(
  ['draft', 'placed', 'partially-received', 'received', 'cancelled'].map((s) => Type.Literal(s)),
);

export const SupplierReturnBody = Type.Object(
  {
    returnId: Id,
    lines: Type.Array(
      Type.Object(
        { sku: Sku, qty: Qty, from: Type.Union([Type.Literal('rejected'), Type.Literal('stock')]) },
        closed,
      ),
      { minItems: 1, maxItems: MAX_LINES },
    ),
    note: Type.Optional(Note),
  },
  closed,
);
