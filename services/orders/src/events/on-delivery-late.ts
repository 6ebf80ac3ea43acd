import type { Service } from '@omni/kit';
import { DeliveryLate } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method } from '../domain/guards';
import { queueFromEvent } from './handle';

/** The delivery passed its promised time: compensate once (refund the fee, or a coupon). */
export function onDeliveryLate(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryLate, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) =>
        all(
          method(o, 'delivery'),
          inStatus(o, 'confirmed', 'out_for_delivery', 'delivered'),
          atLocation(o, d.storeId),
          o.compensation ? 'already compensated' : true,
        ),
      () => ({ workflow: 'compensate_late', key: 'late', params: { minutesLate: d.minutesLate } }),
    );
  });
}
