import { add, min, zero } from '../../domain/money';
import { refundable } from '../../domain/policy';
import type { Step, Workflow } from '../types';
import { authKey } from '../steps/payment';
import { needsOps } from './needs-ops';

/** The unused part of a voucher goes back to the card (keyed by the vouchers service's refund id). */
const refundVoucherPayment: Step = {
  name: 'refund_voucher',
  when: (o) => o.payment.method === 'card',
  async run(ctx, o) {
    const r = o.saga?.params.voucherRefund;
    if (!r) return;
    const amount = min(r.amount, refundable(o));
    if (amount.amountMinor > 0) {
      await ctx.payments.refund(
        { key: `${o._id}:voucher-refund:${r.refundId}`, authorizationKey: authKey(o._id), amount },
        ctx.signal,
      );
    }
    return (x) => {
      const refunded = add(x.payment.refunded ?? zero(x.currency), amount);
      const full = x.payment.captured && refunded.amountMinor >= x.payment.captured.amountMinor;
      return { ...x, payment: { ...x.payment, status: full ? 'refunded' : 'partially_refunded', refunded } };
    };
  },
};

/** Vouchers asked for an unused voucher's money back (customer request, or expiry): once per refund id. */
export const refundVoucher: Workflow = {
  name: 'refund_voucher',
  retryForever: true,
  steps: [refundVoucherPayment],
  accepts: (o, p) =>
    o.fulfilment.method !== 'voucher'
      ? 'not a voucher order'
      : !p.voucherRefund
        ? 'no refund'
        : (o.voucherRefunds ?? []).includes(p.voucherRefund.refundId)
          ? 'duplicate'
          : true,
  completed: (o, p) => ({
    order: { ...o, voucherRefunds: [...(o.voucherRefunds ?? []), p.voucherRefund!.refundId] },
  }),
  failed: needsOps('refund-voucher'),
};
