import type { Service } from '@omni/kit';
import { DeliveryFailed } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method } from '../domain/guards';
import { queueFromEvent } from './handle';

/**
 * The delivery failed and the goods go back to the store. Policy: the order is cancelled and refunded
 * (authorisation voided, points back); goods that had left are announced as a return received at the
 * store (restock) so inventory books them back.
 */
export function onDeliveryFailed(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryFailed, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) =>
        all(method(o, 'delivery'), inStatus(o, 'confirmed', 'out_for_delivery'), atLocation(o, d.storeId)),
      () => ({
        workflow: 'cancel',
        key: 'cancel:delivery_failed',
        params: { cancelCause: 'delivery_failed', reason: `delivery failed: ${d.reason}` },
      }),
    );
  });
}
