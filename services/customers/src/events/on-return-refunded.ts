import { ReturnRefunded } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { CustomersContext } from '../app/context';
import { onReturnRefunded as notifyRefund } from '../app/order-notifications';

/** A return was refunded: tell the customer. Once per notification id (redelivery records nothing twice). */
export function onReturnRefunded(svc: Service, ctx: CustomersContext): void {
  svc.events.on(ReturnRefunded, async (event, { session }) => {
    const outcome = await notifyRefund(ctx, session, event.data);
    ctx.log.debug({ type: event.type, orderId: event.data.orderId, outcome }, 'order notification');
  });
}
