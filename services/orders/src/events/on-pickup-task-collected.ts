import type { Service } from '@omni/kit';
import { PickupTaskCollected } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method, onReservation } from '../domain/guards';
import { queueFromEvent } from './handle';

/** Handed over at the counter: commit the reservation, capture the payment, complete the order. */
export function onPickupTaskCollected(svc: Service, ctx: OrdersContext): void {
  svc.events.on(PickupTaskCollected, async (event, { session }) => {
    const d = event.data;
    const queued = await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) =>
        all(
          method(o, 'pickup'),
          inStatus(o, 'confirmed', 'ready_for_pickup'),
          atLocation(o, d.storeId),
          onReservation(o, d.reservationId),
        ),
      () => ({
        workflow: 'collect',
        key: `collect:${d.reservationId}`,
        params: { reservationId: d.reservationId, at: d.collectedAt },
      }),
    );
    // Collected (offline) at a counter while the order was cancelled: pickup reports the conflict to ops.
    if (!queued)
      ctx.svc.log.warn(
        { orderId: d.orderId, storeId: d.storeId, offline: d.offline },
        'collection not applied to the order',
      );
  });
}
