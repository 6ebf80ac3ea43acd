import { OrderConfirmed } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { CustomersContext } from '../app/context';
import { onConfirmed } from '../app/order-notifications';

/** An order was confirmed (or moved to another location): remember whose it is and tell them, with the promise when the event carries one. Once per notification id (redelivery records nothing twice). */
export function onOrderConfirmed(svc: Service, ctx: CustomersContext): void {
  svc.events.on(OrderConfirmed, async (event, { session }) => {
    const outcome = await onConfirmed(ctx, session, event.data);
    ctx.log.debug({ type: event.type, orderId: event.data.orderId, outcome }, 'order notification');
  });
}
