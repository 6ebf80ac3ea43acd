import type { Service } from '@omni/kit';
import { PickupTaskReady } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { readyForPickup } from '../domain/order-changes';
import { all, atLocation, inStatus, method, notMoving, onReservation } from '../domain/guards';
import { changeFromEvent } from './handle';

/** The store picked everything: the order is ready for pickup until `holdUntil`. */
export function onPickupTaskReady(svc: Service, ctx: OrdersContext): void {
  svc.events.on(PickupTaskReady, async (event, { session }) => {
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
      return readyForPickup(o, event.time, d.storeId, d.holdUntil);
    });
  });
}
