import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { Actor, Id, IsoTime, Line, Money, Sku } from './common';

/** Topics: `omni.inventory.stock` (key = sku), `omni.inventory.reservation` (key = reservationId),
 *  `omni.inventory.transfer` (key = transferId), `omni.inventory.location` (key = locationId),
 *  `omni.inventory.purchase-order` (key = purchaseOrderId). */
const stock = 'omni.inventory.stock';
const reservation = 'omni.inventory.reservation';

export const AvailabilityLevel = Type.Union([
  Type.Literal('in_stock'),
  Type.Literal('low'),
  Type.Literal('out'),
]);

export const StockChanged = defineEvent({
  type: 'omni.inventory.stock.changed.v1',
  topic: stock,
  description: 'A movement changed on_hand or reserved of one SKU at one location.',
  schema: Type.Object({
    sku: Sku,
    locationId: Id,
    movementId: Id,
    reason: Type.String(),
    onHand: Type.Integer(),
    reserved: Type.Integer(),
    safetyStock: Type.Integer(),
    available: Type.Integer(),
  }),
});

export const AvailabilityChanged = defineEvent({
  type: 'omni.inventory.stock.availability-changed.v1',
  topic: stock,
  description:
    'Debounced per SKU: what storefronts show. `online` is the channel ATP over locations that ship or offer pickup; `stores` the level per store.',
  schema: Type.Object({
    sku: Sku,
    online: Type.Object({ available: Type.Integer(), level: AvailabilityLevel }),
    stores: Type.Array(Type.Object({ locationId: Id, available: Type.Integer(), level: AvailabilityLevel })),
    /** Monotonic per SKU, so consumers can drop out-of-order updates. */
    version: Type.Integer(),
  }),
});

export const LowStock = defineEvent({
  type: 'omni.inventory.stock.low.v1',
  topic: stock,
  description: 'Available fell to or below the reorder point; carries a replenishment suggestion.',
  schema: Type.Object({
    sku: Sku,
    locationId: Id,
    available: Type.Integer(),
    reorderPoint: Type.Integer(),
    suggestedQty: Type.Integer(),
    suggestedSourceLocationId: Type.Optional(Id),
  }),
});

const ReservationBase = {
  reservationId: Id,
  orderId: Type.Optional(Id),
  locationId: Id,
  lines: Type.Array(Line),
};

export const ReservationCreated = defineEvent({
  type: 'omni.inventory.reservation.created.v1',
  topic: reservation,
  description: 'Stock was reserved (all lines, at one location).',
  schema: Type.Object({ ...ReservationBase, expiresAt: Type.String() }),
});

export const ReservationCommitted = defineEvent({
  type: 'omni.inventory.reservation.committed.v1',
  topic: reservation,
  description: 'The reservation became a sale: on_hand and reserved decreased.',
  schema: Type.Object(ReservationBase),
});

export const ReservationReleased = defineEvent({
  type: 'omni.inventory.reservation.released.v1',
  topic: reservation,
  description: 'Reserved units went back on sale (all, or the listed lines for a partial release).',
  schema: Type.Object({ ...ReservationBase, reason: Type.String(), partial: Type.Boolean() }),
});

export const ReservationExpired = defineEvent({
  type: 'omni.inventory.reservation.expired.v1',
  topic: reservation,
  description: 'The reservation TTL passed before commit; its units were released.',
  schema: Type.Object(ReservationBase),
});

export const ReservationAtRisk = defineEvent({
  type: 'omni.inventory.reservation.at-risk.v1',
  topic: reservation,
  description:
    'A store sale (often synced late) left on_hand below reserved at a location; these reservations cannot all be honoured there and should be re-routed.',
  schema: Type.Object({
    ...ReservationBase,
    shortLines: Type.Array(Line),
    cause: Type.Object({ kind: Type.String(), opId: Type.Optional(Type.String()) }),
  }),
});

export const OrderPacked = defineEvent({
  type: 'omni.inventory.order.packed.v1',
  topic: reservation,
  description:
    'A ship order was picked and packed at a warehouse or store (parcels with weights): orders hands it to the carrier.',
  schema: Type.Object({
    orderId: Id,
    reservationId: Id,
    locationId: Id,
    pickListId: Id,
    parcels: Type.Array(Type.Object({ parcelId: Id, weightGrams: Type.Integer({ minimum: 1 }) }), {
      minItems: 1,
      maxItems: 20,
    }),
    actor: Actor,
  }),
});

export const TransferEvent = (name: string, description: string) =>
  defineEvent({
    type: `omni.inventory.transfer.${name}.v1`,
    topic: 'omni.inventory.transfer',
    description,
    schema: Type.Object({
      transferId: Id,
      fromLocationId: Id,
      toLocationId: Id,
      lines: Type.Array(
        Type.Object({
          sku: Sku,
          qty: Type.Integer({ minimum: 0 }),
          receivedQty: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
      ),
      actor: Actor,
    }),
  });
export const TransferRequested = TransferEvent('requested', 'A transfer between locations was requested.');
export const TransferShipped = TransferEvent(
  'shipped',
  'The source location shipped the transfer (transfer-out movements).',
);
export const TransferReceived = TransferEvent(
  'received',
  'The destination received the transfer (transfer-in movements), with discrepancies if any.',
);

export const LocationStatusChanged = defineEvent({
  type: 'omni.inventory.location.status-changed.v1',
  topic: 'omni.inventory.location',
  description: 'A location was paused or re-activated.',
  schema: Type.Object({
    locationId: Id,
    status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
    reason: Type.Optional(Type.String()),
  }),
});

/** Who bought at the till, as the till saw it: a member card scanned or a phone number typed. */
export const TillMember = Type.Object({
  card: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
});

export const StoreSaleRecorded = defineEvent({
  type: 'omni.inventory.pos.sale-recorded.v1',
  topic: 'omni.inventory.pos',
  description:
    'A till sale or return naming a member was applied to stock (key = storeId, so a store\'s sales and returns stay in order). ' +
    'Inventory does not interpret prices: it passes on what the till said. Customers credits or takes back points and keeps the purchase in the member\'s history.',
  schema: Type.Object({
    /** `<storeId>:<clientOpId>`: one per till op, whatever the redelivery. */
    saleId: Id,
    storeId: Id,
    clientOpId: Id,
    kind: Type.Union([Type.Literal('sale'), Type.Literal('return')]),
    member: TillMember,
    lines: Type.Array(
      Type.Object({ sku: Sku, qty: Type.Integer({ minimum: 1 }), unitPrice: Type.Optional(Money) }),
      { maxItems: 50 },
    ),
    /** Sum of priced lines; absent when the till sent no prices. */
    total: Type.Optional(Money),
    /** For a return: the clientOpId of the sale it reverses, when the till knows it. */
    returnOf: Type.Optional(Id),
    occurredAt: IsoTime,
  }),
});

/** Topic `omni.inventory.purchase-order` (key = purchaseOrderId): a supplier order's life. */
const purchaseOrder = 'omni.inventory.purchase-order';
const DeliveryFlag = Type.Union([Type.Literal('ok'), Type.Literal('over'), Type.Literal('wrong-item')]);

export const PurchaseOrderPlaced = defineEvent({
  type: 'omni.inventory.purchase-order.placed.v1',
  topic: purchaseOrder,
  description: 'A purchase order was sent to its supplier, with the expected delivery date.',
  schema: Type.Object({
    purchaseOrderId: Id,
    supplierId: Id,
    locationId: Id,
    lines: Type.Array(Line),
    expectedAt: Type.String({ format: 'date-time' }),
    actor: Actor,
  }),
});

export const PurchaseOrderReceived = defineEvent({
  type: 'omni.inventory.purchase-order.received.v1',
  topic: purchaseOrder,
  description:
    'A delivery was booked against a purchase order at goods-in: each line flagged ok / over / wrong-item, what is still outstanding (under), and whether it came late.',
  schema: Type.Object({
    purchaseOrderId: Id,
    receiptId: Id,
    supplierId: Id,
    locationId: Id,
    status: Type.Union([Type.Literal('partially-received'), Type.Literal('received')]),
    late: Type.Boolean(),
    lines: Type.Array(
      Type.Object({
        sku: Sku,
        acceptedQty: Type.Integer({ minimum: 0 }),
        rejectedQty: Type.Integer({ minimum: 0 }),
        flag: DeliveryFlag,
      }),
    ),
    outstanding: Type.Array(Line),
  }),
});

export const SupplierReturnSent = defineEvent({
  type: 'omni.inventory.purchase-order.returned.v1',
  topic: purchaseOrder,
  description:
    'Units went back to the supplier against a purchase order: `rejected` (quarantined at QC) or `stock` (taken out of on hand).',
  schema: Type.Object({
    purchaseOrderId: Id,
    returnId: Id,
    supplierId: Id,
    locationId: Id,
    lines: Type.Array(
      Type.Object({
        sku: Sku,
        qty: Type.Integer({ minimum: 1 }),
        from: Type.Union([Type.Literal('rejected'), Type.Literal('stock')]),
      }),
    ),
    actor: Actor,
  }),
});

export const inventoryEvents = [
  StockChanged,
  AvailabilityChanged,
  LowStock,
  ReservationCreated,
  ReservationCommitted,
  ReservationReleased,
  ReservationExpired,
  ReservationAtRisk,
  OrderPacked,
  TransferRequested,
  TransferShipped,
  TransferReceived,
  LocationStatusChanged,
  StoreSaleRecorded,
  PurchaseOrderPlaced,
  PurchaseOrderReceived,
  SupplierReturnSent,
];
