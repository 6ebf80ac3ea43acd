import type { OrderDoc, OrderStatus, WorkflowParams } from './types';

/**
 * Whether an order accepts a change now: true, or why not. Shared by the workflows (`accepts`) and the
 * event handlers; an event about another location or an older reservation than the order's current one
 * is stale (the order moved on: re-routed, cancelled).
 */

export function atLocation(o: OrderDoc, locationId: string): true | string {
  return o.fulfilment.locationId === locationId
    ? true
    : `event is about ${locationId}, the order is at ${o.fulfilment.locationId}`;
}

export function onReservation(o: OrderDoc, reservationId: string): true | string {
  return o.reservation.reservationId === reservationId
    ? true
    : `event is about reservation ${reservationId}, the order holds ${o.reservation.reservationId}`;
}

/** A workflow queued for an event applies only to the reservation the event was about (when it names one). */
export function sameReservation(o: OrderDoc, p: WorkflowParams): true | string {
  return p.reservationId === undefined ? true : onReservation(o, p.reservationId);
}

export function inStatus(o: OrderDoc, ...statuses: OrderStatus[]): true | string {
  return statuses.includes(o.status) ? true : `order is ${o.status}`;
}

export function method(o: OrderDoc, m: OrderDoc['fulfilment']['method']): true | string {
  return o.fulfilment.method === m ? true : `order is ${o.fulfilment.method}, not ${m}`;
}

/** No re-route or cancellation queued or running (a status-only event must not race them). */
export function notMoving(o: OrderDoc): true | string {
  const busy = [o.saga?.workflow, ...o.queue.map((q) => q.workflow)].find(
    (w) => w === 'reroute' || w === 'cancel',
  );
  return busy ? `a ${busy} is in progress` : true;
}

export function all(...checks: Array<true | string>): true | string {
  return checks.find((c) => c !== true) ?? true;
}
