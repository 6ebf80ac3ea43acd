import type { Service } from '@omni/kit';
import { PickupTaskShortPicked } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method, onReservation } from '../domain/guards';
import { queueFromEvent } from './handle';

/** The store could not find every unit: move the order to the next store (new reservation first). */
export function onPickupTaskShortPicked(svc: Service, ctx: OrdersContext): void {
  svc.events.on(PickupTaskShortPicked, async (event, { session }) => {
    const d = event.data;
    const short = d.shortLines.map((l) => `${l.sku} x${l.qty}`).join(', ');
    const queued = await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) =>
        all(
          method(o, 'pickup'),
          inStatus(o, 'confirmed'),
          atLocation(o, d.storeId),
          onReservation(o, d.reservationId),
        ),
      (o) => ({
        workflow: 'reroute',
        key: `reroute:${o.reservation.reservationId}`,
        params: {
          reservationId: d.reservationId,
          fromLocationId: d.storeId,
          reason: `short pick at ${d.storeId}${short ? ` (${short})` : ''}`,
        },
      }),
    );
    if (queued) ctx.metrics.reroutes.inc({ trigger: 'short-pick' });
  });
}
