import { add, min, zero } from '../../domain/money';
import { lateCompensationFor, refundable } from '../../domain/policy';
import type { OrdersPolicy } from '../../settings';
import type { Step } from '../types';
import { authKey } from './payment';

/** Late delivery: the delivery fee goes back (refunded if captured, else captured less later). */
export function refundLateFee(policy: OrdersPolicy): Step {
  return {
    name: 'refund_delivery_fee',
    when: (o) => lateCompensationFor(o, policy, 1, '').kind === 'refund_delivery_fee',
    async run(ctx, o) {
      const fee = o.deliveryFee;
      if (o.payment.status === 'captured' || o.payment.status === 'partially_refunded') {
        const amount = min(fee, refundable(o));
        await ctx.payments.refund(
          { key: `${o._id}:refund-late`, authorizationKey: authKey(o._id), amount },
          ctx.signal,
        );
        return (x) => ({
          ...x,
          payment: {
            ...x.payment,
            status: 'partially_refunded',
            refunded: add(x.payment.refunded ?? zero(x.currency), amount),
          },
        });
      }
      // Not captured yet: capture less later.
      return (x) => ({ ...x, payment: { ...x.payment, captureReduction: fee } });
    },
  };
}

/** A received return: its refund goes back to the card. */
export const refundReturnPayment: Step = {
  name: 'refund_return',
  when: (o) => o.payment.method === 'card',
  async run(ctx, o) {
    const ret = o.returns.find((r) => r.returnId === o.saga?.params.returnId);
    if (!ret?.refund) return;
    const amount = min(ret.refund, refundable(o));
    if (amount.amountMinor > 0) {
      await ctx.payments.refund(
        { key: `${ret.returnId}:refund`, authorizationKey: authKey(o._id), amount },
        ctx.signal,
      );
    }
    return (x) => {
      const refunded = add(x.payment.refunded ?? zero(x.currency), amount);
      const full = x.payment.captured && refunded.amountMinor >= x.payment.captured.amountMinor;
      return {
        ...x,
        payment: { ...x.payment, status: full ? 'refunded' : 'partially_refunded', refunded },
        returns: x.returns.map((r) => (r.returnId === ret.returnId ? { ...r, refund: amount } : r)),
      };
    };
  },
};
