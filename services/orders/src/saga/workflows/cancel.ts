import { all, sameReservation } from '../../domain/guards';
import { cancellable } from '../../domain/lifecycle';
import { min, money } from '../../domain/money';
import { cancelled } from '../../domain/order-changes';
import type { Money, OrderDoc } from '../../domain/types';
import type { OrdersPolicy } from '../../settings';
import { releaseStock } from '../steps/inventory';
import { settleOnCancel } from '../steps/payment';
import { refundPoints } from '../steps/points';
import { releaseCoupon } from '../steps/coupon';
import { releaseSlot } from '../steps/slot';
import { releasePurchaseLimits } from '../steps/limits';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/**
 * Cancellation: stock back on sale, money back (less a no-show fee), points and coupon back, delivery
 * slot and purchase limits freed.
 */
export function cancelWorkflow(policy: OrdersPolicy): Workflow {
  const noShowFee = (o: OrderDoc): Money | null =>
    o.saga?.params.cancelCause === 'no_show' && policy.noShowFeeMinor > 0
      ? min(money(policy.noShowFeeMinor, o.currency), o.amountDue)
      : null;

  return {
    name: 'cancel',
    retryForever: true,
    steps: [releaseStock, settleOnCancel(noShowFee), refundPoints, releaseCoupon, releaseSlot, releasePurchaseLimits],
    accepts: (o, p) => all(cancellable(o.status, p.cancelCause ?? 'ops'), sameReservation(o, p)),
    completed(o, p, now) {
      return cancelled(o, p.cancelCause, p.reason ?? `cancelled (${p.cancelCause ?? 'ops'})`, now);
    },
    failed: needsOps('cancel'),
  };
}
