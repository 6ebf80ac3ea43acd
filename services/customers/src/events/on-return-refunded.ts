import { ReturnRefunded } from '@omni/contracts';
import type { Service } from '@omni/kit';
import { reversePointsForReturn } from '../app/reverse-return-points';
import type { CustomersContext } from '../app/context';

/** An online return was refunded (orders) → the points its order earned on that amount come back. */
export function onReturnRefunded(svc: Service, ctx: CustomersContext): void {
  svc.events.on(ReturnRefunded, async (event, { session }) => {
    const outcome = await reversePointsForReturn(ctx, session, event.data);
    ctx.log.debug({ returnId: event.data.returnId, orderId: event.data.orderId, ...outcome }, 'return refunded');
  });
}
