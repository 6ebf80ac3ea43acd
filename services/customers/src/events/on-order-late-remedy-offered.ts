import { OrderLateRemedyOffered } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { CustomersContext } from '../app/context';
import { onLateRemedyOffered } from '../app/order-notifications';

/** A very late delivery: offer the customer the choice (free order or re-delivery) and its deadline. Once per notification id (redelivery records nothing twice). */
export function onOrderLateRemedyOffered(svc: Service, ctx: CustomersContext): void {
  svc.events.on(OrderLateRemedyOffered, async (event, { session }) => {
    const outcome = await onLateRemedyOffered(ctx, session, event.data);
    ctx.log.debug({ type: event.type, orderId: event.data.orderId, outcome }, 'order notification');
  });
}
