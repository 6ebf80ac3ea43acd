import type { Service } from '@omni/kit';
import { DeliveryLate } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { reportLate } from '../app/late-delivery';

/**
 * The delivery passed its promised time: record the delay and compensate per the policy (the first
 * tier once; beyond the free-order threshold the customer's choice is offered once). A redelivered or
 * older (smaller) report changes nothing.
 */
export function onDeliveryLate(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryLate, async (event, { session }) => {
    const d = event.data;
    await reportLate(ctx, d.orderId, d.minutesLate, {
      session,
      locationId: d.storeId,
      eventType: event.type,
    });
  });
}
