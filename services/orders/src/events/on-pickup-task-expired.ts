import type { Service } from '@omni/kit';
import { PickupTaskExpired } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method, onReservation } from '../domain/guards';
import { queueFromEvent } from './handle';

/** No-show: cancel, release the stock, refund per policy (optionally keeping a no-show fee). */
export function onPickupTaskExpired(svc: Service, ctx: OrdersContext): void {
  svc.events.on(PickupTaskExpired, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
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
        workflow: 'cancel',
        key: 'cancel:no_show',
        params: {
          cancelCause: 'no_show',
          reservationId: d.reservationId,
          reason: `not collected at ${d.storeId} within the hold period`,
        },
      }),
    );
  });
}
