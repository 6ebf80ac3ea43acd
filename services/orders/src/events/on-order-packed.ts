import type { Service } from '@omni/kit';
import { OrderPacked } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method, onReservation } from '../domain/guards';
import { queueFromEvent } from './handle';

/**
 * A ship order was picked and packed at its location: hand it to the carrier (book, commit the
 * stock, capture the payment). A packing of a reservation the order has left (re-routed meanwhile)
 * is stale and ignored; a redelivered event finds the ship work queued already (same key).
 */
export function onOrderPacked(svc: Service, ctx: OrdersContext): void {
  svc.events.on(OrderPacked, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) =>
        all(
          method(o, 'ship'),
          inStatus(o, 'confirmed'),
          atLocation(o, d.locationId),
          onReservation(o, d.reservationId),
        ),
      () => ({
        workflow: 'ship',
        key: 'ship',
        params: { shipment: { parcels: d.parcels, pickListId: d.pickListId } },
      }),
    );
  });
}
