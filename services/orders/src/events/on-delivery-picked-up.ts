import type { Service } from '@omni/kit';
import { DeliveryPickedUp } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method } from '../domain/guards';
import { queueFromEvent } from './handle';

/** The rider scanned the parcel at the store: the reservation becomes a sale, out for delivery. */
export function onDeliveryPickedUp(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryPickedUp, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) => all(method(o, 'delivery'), inStatus(o, 'confirmed'), atLocation(o, d.storeId)),
      (o) => ({
        workflow: 'hand_to_rider',
        key: `hand:${o.reservation.reservationId}`,
        params: { reservationId: o.reservation.reservationId, at: d.at },
      }),
    );
  });
}
