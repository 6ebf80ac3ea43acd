import { OrderConfirmed } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { VouchersContext } from '../app/context';
import { issueVouchers } from '../app/issue-vouchers';

/** orders.order.confirmed → one voucher per unit of each voucher line (idempotent, in the inbox transaction). */
export function onOrderConfirmed(svc: Service, ctx: VouchersContext): void {
  svc.events.on(OrderConfirmed, async (event, { session }) => {
    const issued = await issueVouchers(ctx, session, event.data);
    if (issued > 0) ctx.log.info({ orderId: event.data.orderId, issued }, 'vouchers issued');
  });
}
