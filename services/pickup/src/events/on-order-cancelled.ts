import { OrderCancelled } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { cancelTaskOnOrderCancelled } from '../app/cancel-task-on-order-cancelled';

/** orders.order.cancelled → live tasks cancelled, the order tombstoned. */
export function onOrderCancelled(svc: Service, ctx: PickupContext): void {
  svc.events.on(OrderCancelled, async (event, { session }) => {
    await cancelTaskOnOrderCancelled(ctx, session, event.data);
  });
}
