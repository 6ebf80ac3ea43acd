import { all, inStatus, sameReservation } from '../../domain/guards';
import { queuedFirst, rerouted } from '../../domain/order-changes';
import { releasePreviousReservation, reserveNextLocation } from '../steps/reroute';
import { followSlotOnReroute } from '../steps/slot';
import type { Workflow } from '../types';

/** The order leaves its location: reserve at the next one first, then release the old reservation; the delivery slot follows. */
export const reroute: Workflow = {
  name: 'reroute',
  // Inventory or the network being down must not cancel the order: wait for them.
  retryForever: true,
  steps: [reserveNextLocation, releasePreviousReservation, followSlotOnReroute],
  accepts: (o, p) => all(inStatus(o, 'confirmed'), sameReservation(o, p)),
  completed: (o, p, now) => rerouted(o, p.reason, now),
  // No location can take it: cancel with refund (queued first, so it runs next).
  failed: (o, p, failure, now) => ({
    order: queuedFirst(o, {
      workflow: 'cancel',
      key: 'cancel:no_route',
      params: {
        cancelCause: 'no_route',
        reason: `no location can serve the order after ${p.reason ?? 're-route'}: ${failure.reason}`,
      },
      requestedAt: now,
    }),
  }),
};
