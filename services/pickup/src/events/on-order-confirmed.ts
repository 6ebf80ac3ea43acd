import { OrderConfirmed } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { createTaskFromOrder } from '../app/create-task-from-order';

/** orders.order.confirmed (pickup) → a task in the store's queue. */
export function onOrderConfirmed(svc: Service, ctx: PickupContext): void {
  svc.events.on(OrderConfirmed, async (event, { session }) => {
    const outcome = await createTaskFromOrder(ctx, session, event.data);
    if (outcome.kind === 'ignored' && outcome.reason !== 'not-pickup') {
      ctx.log.info(
        {
          eventId: event.id,
          orderId: event.data.orderId,
          routeAttempt: event.data.routeAttempt,
          reason: outcome.reason,
        },
        'order confirmed: no task',
      );
    }
  });
}
