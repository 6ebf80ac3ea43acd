import { OrderCancelled } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { VouchersContext } from '../app/context';
import { voidOnCancel } from '../app/void-on-cancel';

/** orders.order.cancelled → the order's unused vouchers are void (also when it arrives before the confirmation). */
export function onOrderCancelled(svc: Service, ctx: VouchersContext): void {
  svc.events.on(OrderCancelled, async (event, { session }) => {
    await voidOnCancel(ctx, session, event.data);
  });
}
