import type { Service } from '@omni/kit';
import { DeliveryDelivered } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method } from '../domain/guards';
import { queueFromEvent } from './handle';

/** Delivered with proof: capture the card (or record the cash collected), complete the order. */
export function onDeliveryDelivered(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryDelivered, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      // From confirmed too: the picked-up event may come late (or be lost); commit happens here then.
      (o) =>
        all(method(o, 'delivery'), inStatus(o, 'confirmed', 'out_for_delivery'), atLocation(o, d.storeId)),
      (o) => ({
        workflow: 'deliver',
        key: 'deliver',
        params: {
          reservationId: o.reservation.reservationId,
          at: d.at,
          ...(d.codCollected ? { codCollected: d.codCollected } : {}),
        },
      }),
    );
  });
}
