import { ReturnRefunded } from '@omni/contracts';
import type { Service } from '@omni/kit';
import { reversePointsForReturn } from '../app/reverse-return-points';
import type { CustomersContext } from '../app/context';
import { onReturnRefunded as notifyRefund } from '../app/order-notifications';

/**
 * An online return was refunded (orders) → the points its order earned on that amount come back, and
 * the customer is told. Both are once per return (redelivery changes nothing), in the same session.
 */
export function onReturnRefunded(svc: Service, ctx: CustomersContext): void {
  svc.events.on(ReturnRefunded, async (event, { session }) => {
    const reversal = await reversePointsForReturn(ctx, session, event.data);
    const notification = await notifyRefund(ctx, session, event.data);
    ctx.log.debug(
      { returnId: event.data.returnId, orderId: event.data.orderId, ...reversal, notification },
      'return refunded',
    );
  });
}
