import type { Service } from '@omni/kit';
import { VoucherRefundRequested } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { queueFromEvent } from './handle';

/** vouchers.voucher.refund-requested → the unused part goes back through the order's payment, once. */
export function onVoucherRefundRequested(svc: Service, ctx: OrdersContext): void {
  svc.events.on(VoucherRefundRequested, async (event, { session }) => {
    const d = event.data;
    await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) =>
        o.fulfilment.method !== 'voucher'
          ? 'not a voucher order'
          : (o.voucherRefunds ?? []).includes(d.refundId)
            ? 'duplicate'
            : true,
      () => ({
        workflow: 'refund_voucher',
        key: `voucher-refund:${d.refundId}`,
        params: { voucherRefund: { refundId: d.refundId, voucherId: d.voucherId, amount: d.amount } },
      }),
    );
  });
}
