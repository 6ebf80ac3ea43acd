import { reservationIdFor } from './ids';
import { canTransition, withStatus } from './lifecycle';
import { statusEvent } from './order-events';
import type { Outcome } from './outcome';
import type { RouteChoice } from './routing';
import type { OrderDoc, OrderStatus, RouteDecision } from './types';

/**
 * How an order changes: pure functions from the order as stored to the next one (with the events the
 * change announces, when it announces any). Workflows, use cases and event handlers call these rather
 * than spreading the document themselves.
 */

/** Something ops must look at; the order itself goes on. */
export function withAttention(o: OrderDoc, code: string, reason: string, at: string): OrderDoc {
  return { ...o, attention: [...o.attention, { code, reason, at }] };
}

/**
 * Status change + its OrderStatusChanged event. Workflows check the status when they start; should it
 * have moved meanwhile to one the change is not allowed from, the order keeps it and is flagged for ops
 * rather than the workflow failing forever.
 */
export function moveTo(o: OrderDoc, to: OrderStatus, at: string, reason?: string): Outcome {
  if (!canTransition(o.status, to)) {
    return {
      order: withAttention(o, 'illegal-transition', `workflow wanted ${o.status} -> ${to}`, at),
      events: [],
    };
  }
  const { order, change } = withStatus(o, to, at, reason);
  return { order, events: [statusEvent(o._id, change)] };
}

/** The route decision recorded on the order for a location routing chose. */
export function decisionOf(choice: RouteChoice, attempt: number, at: string): RouteDecision {
  return {
    locationId: choice.locationId,
    locationType: choice.locationType,
    ...(choice.locationName ? { locationName: choice.locationName } : {}),
    ...(choice.distanceKm !== undefined ? { distanceKm: Math.round(choice.distanceKm * 100) / 100 } : {}),
    reason: choice.reason,
    candidates: choice.candidates,
    attempt,
    decidedAt: at,
  };
}

/** Placement: the order moves to a new location before confirmation (the reservation failed). */
export function movedTo(o: OrderDoc, choice: RouteChoice, at: string): OrderDoc {
  const attempt = o.routeAttempt + 1;
  const route = decisionOf(choice, attempt, at);
  return {
    ...o,
    routeAttempt: attempt,
    triedLocationIds: [...new Set([...o.triedLocationIds, o.fulfilment.locationId])],
    route,
    routeHistory: [...o.routeHistory, route],
    fulfilment: { ...o.fulfilment, locationId: choice.locationId },
    reservation: {
      reservationId: reservationIdFor(o._id, attempt),
      locationId: choice.locationId,
      status: 'none',
    },
  };
}
