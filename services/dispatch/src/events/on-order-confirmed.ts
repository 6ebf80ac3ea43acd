import type { Service } from '@omni/kit';
import { OrderConfirmed } from '@omni/contracts';
import { Effects, type DispatchContext } from '../app/context';
import { createDeliveryJob } from '../app/create-delivery-job';
import { applyAfterConsume } from './after-consume';

/** A confirmed local-delivery order becomes a delivery job waiting for its store. */
export function onOrderConfirmed(svc: Service, ctx: DispatchContext): void {
  svc.events.on(OrderConfirmed, async (event, { session }) => {
    const fx = new Effects();
    const outcome = await createDeliveryJob(ctx, session, fx, event.data);
    if (outcome !== 'created' && outcome !== 'not-delivery')
      ctx.log.info(
        { orderId: event.data.orderId, routeAttempt: event.data.routeAttempt, outcome },
        'order confirmation not turned into a job',
      );
    applyAfterConsume(ctx, fx);
  });
}
