import { OrderCancelled } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { CustomersContext } from '../app/context';
import { onCancelled } from '../app/order-notifications';

/** An order was cancelled: tell its customer why, and what is refunded. Once per notification id (redelivery records nothing twice). */
export function onOrderCancelled(svc: Service, ctx: CustomersContext): void {
  svc.events.on(OrderCancelled, async (event, { session }) => {
    const outcome = await onCancelled(ctx, session, event.data);
    ctx.log.debug({ type: event.type, orderId: event.data.orderId, outcome }, 'order notification');
  });
}
