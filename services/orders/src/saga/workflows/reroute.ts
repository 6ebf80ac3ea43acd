import { all, inStatus, sameReservation } from '../../domain/guards';
import { withAttention } from '../../domain/order-changes';
import { confirmedEvent, reroutedEvent } from '../../domain/order-events';
import type { OrderDoc } from '../../domain/types';
import { releasePreviousReservation, reserveNextLocation } from '../steps/reroute';
import type { Workflow } from '../types';

/** The order leaves its location: reserve at the next one first, then release the old reservation. */
export const reroute: Workflow = {
  name: 'reroute',
  // Inventory or the network being down must not cancel the order: wait for them.
  retryForever: true,
  steps: [reserveNextLocation, releasePreviousReservation],
  accepts: (o, p) => all(inStatus(o, 'confirmed'), sameReservation(o, p)),
  completed(o, p, now) {
    const pending = o.pendingRoute;
    if (!pending)
      return { order: withAttention(o, 'reroute-lost', 're-route finished without a new location', now) };
    const from = o.fulfilment.locationId;
    const order: OrderDoc = {
      ...o,
      route: pending.route,
      routeHistory: [...o.routeHistory, pending.route],
      routeAttempt: pending.attempt,
      triedLocationIds: [...new Set([...o.triedLocationIds, from])],
      fulfilment: { ...o.fulfilment, locationId: pending.route.locationId, holdUntil: undefined },
      reservation: {
        reservationId: pending.reservationId,
        locationId: pending.route.locationId,
        status: 'active',
      },
      pendingRoute: null,
      statusReason: `re-routed: ${p.reason ?? ''}`.trim(),
    };
    return {
      order,
      events: [
        reroutedEvent(
          o,
          from,
          pending.route,
          pending.attempt,
          `${p.reason ?? 're-route'}; ${pending.route.reason}`,
        ),
        confirmedEvent(order),
      ],
    };
  },
  // No location can take it: cancel with refund (queued first, so it runs next).
  failed(o, p, failure, now) {
    return {
      order: {
        ...o,
        queue: [
          {
            workflow: 'cancel',
            key: 'cancel:no_route',
            params: {
              cancelCause: 'no_route',
              reason: `no location can serve the order after ${p.reason ?? 're-route'}: ${failure.reason}`,
            },
            requestedAt: now,
          },
          ...o.queue,
        ],
      },
    };
  },
};
