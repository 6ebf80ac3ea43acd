import type { Session } from '@omni/store';
import type { OrdersContext } from '../app/context';
import { requestWork, type WorkRequest } from '../app/request-work';
import type { OrderDoc, OrderStatus } from '../domain/types';
import type { Outcome } from '../store/order-repository';

/**
 * Checks shared by the event handlers: an event about another location or an older reservation than
 * the order's current one is stale (the order moved on: re-routed, cancelled) and is ignored — never
 * thrown, since a retry would not make it fresh.
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

/** Counts and logs an event the order does not act on (stale, duplicate, out of order). */
export function ignored(ctx: OrdersContext, type: string, orderId: string, why: string | null): void {
  const reason = why === null ? 'unknown-order' : why === 'duplicate' ? 'duplicate' : 'stale';
  ctx.metrics.eventsIgnored.inc({ type, why: reason });
  ctx.svc.log.debug({ type, orderId, why }, 'event ignored');
}

/** Queues a workflow for an event if the order accepts it now; otherwise counts the event as ignored. */
export async function queueFromEvent(
  ctx: OrdersContext,
  session: Session,
  type: string,
  orderId: string,
  guard: (o: OrderDoc) => true | string,
  build: (o: OrderDoc) => WorkRequest,
): Promise<boolean> {
  const verdict = await requestWork(ctx, orderId, guard, build, session);
  if (verdict !== true) ignored(ctx, type, orderId, verdict);
  return verdict === true;
}

/** Applies a direct state change for an event (`change` returns why not, as a string, to ignore it). */
export async function changeFromEvent(
  ctx: OrdersContext,
  session: Session,
  type: string,
  orderId: string,
  change: (o: OrderDoc) => Outcome | string,
): Promise<void> {
  const seen: { found: boolean; why: string | null } = { found: false, why: null };
  await ctx.repo.update(
    orderId,
    (o) => {
      seen.found = true;
      seen.why = null;
      const r = change(o);
      if (typeof r === 'string') {
        seen.why = r;
        return null;
      }
      return r;
    },
    session,
  );
  if (!seen.found) ignored(ctx, type, orderId, null);
  else if (seen.why !== null) ignored(ctx, type, orderId, seen.why);
}
