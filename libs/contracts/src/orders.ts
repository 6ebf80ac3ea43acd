import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import {
  Address,
  Channel,
  FulfilmentMethod,
  GeoPoint,
  Id,
  IsoTime,
  Money,
  PricedLine,
  OrderPromise,
  Sku,
} from './common';

/** Topic `omni.orders.order`, key = orderId (every event of one order is ordered). */
const topic = 'omni.orders.order';

// Listed literal by literal (not .map) so the TypeScript type is the union, not never.
export const OrderStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('confirmed'),
  Type.Literal('ready_for_pickup'),
  Type.Literal('collected'),
  Type.Literal('out_for_delivery'),
  Type.Literal('delivered'),
  Type.Literal('shipped'),
  Type.Literal('cancelled'),
  Type.Literal('failed'),
  Type.Literal('returned'),
]);

export const Fulfilment = Type.Object({
  method: FulfilmentMethod,
  /** The location that fulfils the order (store or warehouse). */
  locationId: Id,
  /** Delivery and ship: where to. */
  address: Type.Optional(Address),
  /** Delivery: the customer's point, for zone and rider matching. */
  geo: Type.Optional(GeoPoint),
  /** Delivery: promised delivery time; pickup: promised ready time. */
  promisedAt: Type.Optional(IsoTime),
});

export const OrderConfirmed = defineEvent({
  type: 'omni.orders.order.confirmed.v1',
  topic,
  description:
    'Stock reserved and payment authorised (or cash on delivery). Pickup makes a pickup task; dispatch makes a delivery job.',
  schema: Type.Object({
    orderId: Id,
    customerId: Type.Optional(Id),
    customerName: Type.Optional(Type.String()),
    channel: Channel,
    fulfilment: Fulfilment,
    reservationId: Id,
    lines: Type.Array(PricedLine),
    total: Money,
    payment: Type.Object({
      method: Type.Union([Type.Literal('card'), Type.Literal('cod')]),
      amountDue: Money,
    }),
    /** 0 on first confirmation; increments each time the order is re-routed to another location. */
    routeAttempt: Type.Integer({ minimum: 0 }),
    /** What checkout promised (absent on orders placed before promises existed). */
    promise: Type.Optional(OrderPromise),
  }),
});

export const OrderRerouted = defineEvent({
  type: 'omni.orders.order.rerouted.v1',
  topic,
  description:
    'The order moved to another location (short pick, store rejection, stock at risk). The task/job at the old location is void; a new confirmed event follows for the new one.',
  schema: Type.Object({
    orderId: Id,
    fromLocationId: Id,
    toLocationId: Id,
    reason: Type.String(),
    routeAttempt: Type.Integer(),
  }),
});

export const OrderCancelled = defineEvent({
  type: 'omni.orders.order.cancelled.v1',
  topic,
  description:
    'The order was cancelled (by customer, ops, no-show, no location can serve it); stock released, payment voided or refunded.',
  schema: Type.Object({
    orderId: Id,
    customerId: Type.Optional(Id),
    reason: Type.String(),
    refund: Type.Optional(Money),
    /** Location whose pickup task / delivery job must stop, if any. */
    locationId: Type.Optional(Id),
  }),
});

export const OrderLinesCancelled = defineEvent({
  type: 'omni.orders.order.lines-cancelled.v1',
  topic,
  description:
    'Some units of a confirmed order were cancelled (a short pick, when the policy cancels short lines rather than re-routing): the order goes on with the rest; `notCharged` is what the payment will not take for them.',
  schema: Type.Object({
    orderId: Id,
    customerId: Type.Optional(Id),
    lines: Type.Array(Type.Object({ sku: Sku, qty: Type.Integer({ minimum: 1 }) })),
    notCharged: Money,
    reason: Type.String({ maxLength: 500 }),
  }),
});

export const OrderStatusChanged = defineEvent({
  type: 'omni.orders.order.status-changed.v1',
  topic,
  description: 'Lifecycle step, for tracking pages and notifications.',
  schema: Type.Object({
    orderId: Id,
    from: OrderStatus,
    to: OrderStatus,
    reason: Type.Optional(Type.String()),
  }),
});

export const OrderCompleted = defineEvent({
  type: 'omni.orders.order.completed.v1',
  topic,
  description:
    'Goods reached the customer and payment was captured (collected, delivered, shipped, or a store sale). Customers accrue points.',
  schema: Type.Object({
    orderId: Id,
    customerId: Type.Optional(Id),
    channel: Channel,
    total: Money,
    completedAt: IsoTime,
  }),
});

export const LateRemedy = Type.Union([Type.Literal('free_order'), Type.Literal('redelivery')]);

export const OrderCompensated = defineEvent({
  type: 'omni.orders.order.compensated.v1',
  topic,
  description:
    'A late delivery was compensated per the tenant policy: first tier (delivery fee refunded, or a goodwill coupon), ' +
    'then beyond the free-order threshold the remedy the customer chose (free order: full refund; re-delivery: fee back and a coupon). ' +
    "The platform pays first; `chargeToLocationId` is the location it is settled with. A `coupon` is issued to the customer's wallet by customers.",
  schema: Type.Object({
    orderId: Id,
    customerId: Type.Optional(Id),
    kind: Type.Union([
      Type.Literal('refund_delivery_fee'),
      Type.Literal('coupon'),
      Type.Literal('free_order'),
      Type.Literal('redelivery'),
    ]),
    amount: Money,
    minutesLate: Type.Integer(),
    paidBy: Type.Optional(Type.Literal('platform')),
    chargeToLocationId: Type.Optional(Id),
    coupon: Type.Optional(Type.Object({ couponId: Id, value: Money })),
    chosenBy: Type.Optional(Type.Union([Type.Literal('customer'), Type.Literal('default')])),
  }),
});

export const OrderLateRemedyOffered = defineEvent({
  type: 'omni.orders.order.late-remedy-offered.v1',
  topic,
  description:
    'The delivery is later than the free-order threshold: the customer may choose a free order (full refund) or a re-delivery until `decideBy`, after which `defaultRemedy` applies.',
  schema: Type.Object({
    orderId: Id,
    customerId: Type.Optional(Id),
    minutesLate: Type.Integer({ minimum: 1 }),
    decideBy: IsoTime,
    defaultRemedy: LateRemedy,
  }),
});

export const OrderAttentionRaised = defineEvent({
  type: 'omni.orders.order.attention-raised.v1',
  topic,
  description:
    'Something about the order needs a person: e.g. a store sale took stock of an order already picked (the unit in the bag is real; the till sold one that was not there). For the store at locationId and ops.',
  schema: Type.Object({
    orderId: Id,
    locationId: Type.Optional(Id),
    code: Type.String({ minLength: 1, maxLength: 100 }),
    reason: Type.String({ maxLength: 500 }),
  }),
});

export const ShipmentTracked = defineEvent({
  type: 'omni.orders.shipment.tracked.v1',
  topic,
  description:
    'A carrier tracking step of a shipped order (label created, in transit, out for delivery, delivered). Delivered completes the order.',
  schema: Type.Object({
    orderId: Id,
    carrier: Type.String({ maxLength: 100 }),
    trackingNumber: Type.String({ maxLength: 100 }),
    status: Type.Union([
      Type.Literal('label_created'),
      Type.Literal('in_transit'),
      Type.Literal('out_for_delivery'),
      Type.Literal('delivered'),
    ]),
    at: IsoTime,
  }),
});

export const ReturnEvent = (name: string, description: string) =>
  defineEvent({
    type: `omni.orders.return.${name}.v1`,
    topic: 'omni.orders.return',
    description,
    schema: Type.Object({
      returnId: Id,
      orderId: Id,
      locationId: Type.Optional(Id),
      lines: Type.Array(
        Type.Object({
          sku: Sku,
          qty: Type.Integer({ minimum: 1 }),
          disposition: Type.Optional(Type.Union([Type.Literal('restock'), Type.Literal('write_off')])),
        }),
      ),
      refund: Type.Optional(Money),
      /** Accepted / refused: the staff's reason. */
      reason: Type.Optional(Type.String({ maxLength: 500 })),
    }),
  });
export const ReturnRequested = ReturnEvent('requested', 'A customer asked to return lines of an order.');
export const ReturnReceived = ReturnEvent(
  'received',
  'Returned goods were received at a location and restocked or written off.',
);
export const ReturnRefunded = ReturnEvent('refunded', 'The return was refunded.');
export const ReturnAccepted = ReturnEvent(
  'accepted',
  'Staff accepted a return request: the goods may come back.',
);
export const ReturnRefused = ReturnEvent(
  'refused',
  'Staff refused a return request, with a reason; its units count as not returned again.',
);

export const orderEvents = [
  OrderConfirmed,
  OrderRerouted,
  OrderCancelled,
  OrderStatusChanged,
  OrderLinesCancelled,
  OrderCompleted,
  OrderCompensated,
  OrderLateRemedyOffered,
  OrderAttentionRaised,
  ShipmentTracked,
  ReturnRequested,
  ReturnReceived,
  ReturnRefunded,
  ReturnAccepted,
  ReturnRefused,
];
