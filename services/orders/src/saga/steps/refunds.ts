import { add, min, zero } from '../../domain/money';
import { lateCompensationFor, lateRemedyFor, refundable } from '../../domain/policy';
import type { Money, OrderDoc } from '../../domain/types';
import type { OrdersPolicy } from '../../settings';
import type { Step } from '../types';
import { authKey } from './payment';

/** Late delivery: the delivery fee goes back (refunded if captured, else captured less later). */
export function refundLateFee(policy: OrdersPolicy): Step {
  return {
    name: 'refund_delivery_fee',
    when: (o) =>
      o.saga?.params.lateTier !== 'free_order' &&
      o.saga?.params.lateTier !== 'redelivery' &&
      lateCompensationFor(o, policy, 1, '').kind === 'refund_delivery_fee',
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

/**
 * Late beyond the free-order threshold and the free order chosen: everything the card was charged
 * comes back through the payment port (the platform pays first). Before capture, the capture is
 * reduced to nothing (the authorisation is voided at delivery instead).
 */
export function refundFreeOrder(policy: OrdersPolicy): Step {
  return {
    name: 'refund_free_order',
    when: (o) => o.saga?.params.lateTier === 'free_order' && o.payment.method === 'card',
    async run(ctx, o) {
      const { amount } = lateRemedyFor(o, policy, 'free_order', 0, '');
      if (o.payment.status === 'captured' || o.payment.status === 'partially_refunded') {
        if (amount.amountMinor > 0) {
          await ctx.payments.refund(
            { key: `${o._id}:refund-late-free`, authorizationKey: authKey(o._id), amount },
            ctx.signal,
          );
        }
        return (x) => {
          const refunded = add(x.payment.refunded ?? zero(x.currency), amount);
          return withRemedyRefund({ ...x, payment: { ...x.payment, status: 'refunded', refunded } }, amount);
        };
      }
      if (o.payment.status !== 'authorized') return;
      return (x) =>
        withRemedyRefund({ ...x, payment: { ...x.payment, captureReduction: x.amountDue } }, amount);
    },
  };
}

function withRemedyRefund(o: OrderDoc, amount: Money): OrderDoc {
  if (!o.late?.remedy) return o;
  return { ...o, late: { ...o.late, remedy: { ...o.late.remedy, refunded: amount } } };
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
