import { OrderCompensated } from '@omni/contracts';
import { NotFoundError, type Service } from '@omni/kit';
import { issueCoupon } from '../app/coupons';
import { onCompensated } from '../app/order-notifications';
import { SYSTEM_ACTOR, type CustomersContext } from '../app/context';

/**
 * A late delivery was compensated: the customer hears it, and a coupon goes into their wallet. The coupon id
 * comes from orders (late-<tier>-<orderId>), so a redelivered event, or the same compensation
 * announced twice, is one coupon. An unknown or erased customer gets nothing (logged, not retried).
 */
export function onOrderCompensated(svc: Service, ctx: CustomersContext, validDays: number): void {
  svc.events.on(OrderCompensated, async (event, { session }) => {
    const d = event.data;
    await onCompensated(ctx, session, d);
    if (!d.coupon || !d.customerId) return;
    try {
      await issueCoupon(
        ctx,
        {
          customerId: d.customerId,
          couponId: d.coupon.couponId,
          value: d.coupon.value,
          reason: 'late_delivery',
          note: `order ${d.orderId}: ${d.minutesLate} min late (${d.kind})`,
          validDays,
          sourceOrderId: d.orderId,
          actor: SYSTEM_ACTOR,
        },
        session,
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      ctx.log.warn(
        { orderId: d.orderId, customerId: d.customerId },
        'late coupon for an unknown customer: not issued',
      );
    }
  });
}
