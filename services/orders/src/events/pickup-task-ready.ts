import { PickupTaskReady } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { withStatus } from '../domain/lifecycle';
import { statusEvent } from '../domain/order-events';
import { all, atLocation, inStatus, method, notMoving, onReservation } from '../domain/guards';
import { changeFromEvent } from './handle';

/** The store picked everything: the order is ready for pickup until `holdUntil`. */
export function onPickupTaskReady(ctx: OrdersContext): void {
  ctx.svc.events.on(PickupTaskReady, async (event, { session }) => {
    const d = event.data;
    await changeFromEvent(ctx, session, event.type, d.orderId, (o) => {
      const ok = all(
        method(o, 'pickup'),
        inStatus(o, 'confirmed'),
        atLocation(o, d.storeId),
        onReservation(o, d.reservationId),
        notMoving(o),
      );
      if (ok !== true) return ok;
      const { order, change } = withStatus(o, 'ready_for_pickup', event.time, `ready at ${d.storeId}`);
      return {
        order: { ...order, fulfilment: { ...order.fulfilment, holdUntil: d.holdUntil } },
        events: [statusEvent(o._id, change)],
      };
    });
  });
}
