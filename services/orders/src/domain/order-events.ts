import {
  OrderCancelled,
  OrderCompensated,
  OrderCompleted,
  OrderConfirmed,
  OrderLateRemedyOffered,
  OrderRerouted,
  OrderStatusChanged,
  ReturnAccepted,
  ReturnReceived,
  ReturnRefunded,
  ReturnRefused,
  ReturnRequested,
} from '@omni/contracts';
import { zero } from './money';
import { emit, type PendingEvent } from './outcome';
import type {
  LateCompensation,
  LateRemedy,
  Money,
  OrderDoc,
  OrderStatus,
  ReturnRecord,
  RouteDecision,
  StatusEntry,
} from './types';

/**
 * What an order announces: one builder per event the order's changes publish (through the outbox, in
 * the transaction that makes the change).
 */

/** Drops undefined members (optional event fields must be absent, not undefined). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function statusEvent(orderId: string, change: StatusEntry): PendingEvent {
  // The contract's OrderStatus is built with `.map(Type.Literal)`, which TypeBox types as `never`; the
  // runtime schema (checked by the outbox) is the literal union, which OrderStatus here matches.
  const status = (s: OrderStatus): never => s as never;
  return emit(
    OrderStatusChanged,
    compact({ orderId, from: status(change.from), to: status(change.to), reason: change.reason }),
  );
}

export function confirmedEvent(o: OrderDoc): PendingEvent {
  return emit(
    OrderConfirmed,
    compact({
      orderId: o._id,
      customerId: o.customerId,
      customerName: o.customerName,
      channel: o.channel,
      fulfilment: compact({
        method: o.fulfilment.method,
        locationId: o.fulfilment.locationId,
        address: o.fulfilment.address,
        geo: o.fulfilment.geo ?? o.fulfilment.address?.geo,
        // dispatch holds riders to it (SLA); pickup counts from it
        promisedAt: o.promise?.to,
      }),
      promise: o.promise,
      reservationId: o.reservation.reservationId,
      lines: o.lines.map((l) => compact({ sku: l.sku, qty: l.qty, unitPrice: l.unitPrice, name: l.name })),
      total: o.total,
      payment: {
        method: o.payment.method,
        amountDue: o.payment.method === 'cod' ? o.amountDue : zero(o.currency),
      },
      routeAttempt: o.routeAttempt,
    }),
  );
}

export function completedEvent(o: OrderDoc, at: string): PendingEvent {
  return emit(
    OrderCompleted,
    compact({
      orderId: o._id,
      customerId: o.customerId,
      channel: o.channel,
      total: o.total,
      completedAt: at,
    }),
  );
}

export function reroutedEvent(
  o: OrderDoc,
  from: string,
  to: RouteDecision,
  attempt: number,
  reason: string,
): PendingEvent {
  return emit(OrderRerouted, {
    orderId: o._id,
    fromLocationId: from,
    toLocationId: to.locationId,
    reason,
    routeAttempt: attempt,
  });
}

export function cancelledEvent(o: OrderDoc, reason: string): PendingEvent {
  return emit(
    OrderCancelled,
    compact({
      orderId: o._id,
      customerId: o.customerId,
      reason,
      refund: moneyBack(o),
      locationId: o.fulfilment.locationId,
    }),
  );
}

/** What the customer gets back when the order is cancelled (for OrderCancelled.refund). */
function moneyBack(o: OrderDoc): Money | undefined {
  const p = o.payment;
  if (p.method !== 'card') return undefined;
  if (p.status === 'voided') return p.authorized ?? o.amountDue;
  if (p.status === 'refunded') return p.refunded;
  if (p.status === 'captured' && p.captured)
    return { amountMinor: o.amountDue.amountMinor - p.captured.amountMinor, currency: o.currency };
  return undefined;
}

/** Goods that left with a rider and came back undelivered: inventory restocks them (a return movement). */
export function undeliveredReturnEvent(o: OrderDoc): PendingEvent {
  return emit(ReturnReceived, {
    returnId: `${o._id}-undelivered`,
    orderId: o._id,
    locationId: o.fulfilment.locationId,
    lines: o.lines.map((l) => ({ sku: l.sku, qty: l.qty, disposition: 'restock' as const })),
  });
}

export function compensatedEvent(o: OrderDoc, c: LateCompensation): PendingEvent {
  return emit(
    OrderCompensated,
    compact({
      orderId: o._id,
      customerId: o.customerId,
      kind: c.kind,
      amount: c.amount,
      minutesLate: c.minutesLate,
      paidBy: c.paidBy,
      chargeToLocationId: c.chargeTo,
      coupon: c.coupon,
      chosenBy: c.chosenBy,
    }),
  );
}

export function lateRemedyOfferedEvent(
  o: OrderDoc,
  minutesLate: number,
  decideBy: string,
  defaultRemedy: LateRemedy,
): PendingEvent {
  return emit(
    OrderLateRemedyOffered,
    compact({ orderId: o._id, customerId: o.customerId, minutesLate, decideBy, defaultRemedy }),
  );
}

export function returnRefundedEvent(o: OrderDoc, ret: ReturnRecord): PendingEvent {
  return emit(
    ReturnRefunded,
    compact({
      returnId: ret.returnId,
      orderId: o._id,
      locationId: ret.locationId,
      lines: ret.lines.map((l) => compact({ sku: l.sku, qty: l.qty, disposition: l.disposition })),
      refund: ret.refund,
    }),
  );
}

export function returnDecidedEvent(o: OrderDoc, ret: ReturnRecord): PendingEvent {
  return emit(
    ret.status === 'refused' ? ReturnRefused : ReturnAccepted,
    compact({
      returnId: ret.returnId,
      orderId: o._id,
      lines: ret.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      reason: ret.decision?.reason,
    }),
  );
}

export function returnRequestedEvent(o: OrderDoc, ret: ReturnRecord): PendingEvent {
  return emit(ReturnRequested, {
    returnId: ret.returnId,
    orderId: o._id,
    lines: ret.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
  });
}

/** A return received at a location (`ret` as received): inventory books each line's disposition. */
export function returnReceivedEvent(o: OrderDoc, ret: ReturnRecord): PendingEvent {
  return emit(ReturnReceived, {
    returnId: ret.returnId,
    orderId: o._id,
    locationId: ret.locationId!,
    lines: ret.lines.map((l) => ({ sku: l.sku, qty: l.qty, disposition: l.disposition! })),
    refund: ret.refund,
  });
}
