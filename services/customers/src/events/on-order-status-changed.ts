import { OrderStatusChanged } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { CustomersContext } from '../app/context';
import { onStatusChanged } from '../app/order-notifications';

/** Ready for pickup (never with the code), out for delivery, delivered: tell the customer. Once per notification id (redelivery records nothing twice). */
export function onOrderStatusChanged(svc: Service, ctx: CustomersContext): void {
  svc.events.on(OrderStatusChanged, async (event, { session }) => {
    const outcome = await onStatusChanged(ctx, session, event.data);
    ctx.log.debug({ type: event.type, orderId: event.data.orderId, outcome }, 'order notification');
  });
}
