import { add, zero } from '../../domain/money';
import { withAttention } from '../../domain/order-changes';
import { captureAmount, refundable } from '../../domain/policy';
import type { Money, OrderDoc } from '../../domain/types';
import { PaymentDeclinedError } from '../../payment/port';
import type { Step } from '../types';

/** Payment steps; every call is keyed by the order (`<orderId>:auth`, `:capture`, ...) so a retry repeats. */

export const authKey = (orderId: string): string => `${orderId}:auth`;

export const authorizePayment: Step = {
  name: 'authorize_payment',
  when: (o) => o.payment.method === 'card' && o.amountDue.amountMinor > 0,
  async run(ctx, o) {
    const { authorizationId } = await ctx.payments.authorize(
      { key: authKey(o._id), orderId: o._id, amount: o.amountDue, cardToken: o.payment.cardToken ?? '' },
      ctx.signal,
    );
    return (x) => ({
      ...x,
      payment: { ...x.payment, status: 'authorized', authorizationId, authorized: x.amountDue },
    });
  },
  async compensate(ctx, o) {
    if (o.payment.status === 'voided') return;
    // Void by key also covers an authorisation whose answer was lost (timeout).
    await ctx.payments.void({ authorizationKey: authKey(o._id) }, ctx.signal);
    return (x) => ({ ...x, payment: { ...x.payment, status: 'voided' } });
  },
};

/** Collection, delivery, shipment: take the money (less any late-delivery refund granted earlier). */
export const capturePayment: Step = {
  name: 'capture_payment',
  when: (o) => o.payment.method === 'card' && o.payment.status === 'authorized',
  async run(ctx, o) {
    const amount = captureAmount(o);
    if (amount.amountMinor === 0) {
      // Nothing left to take (a free order for lateness): release the authorisation instead.
      await ctx.payments.void({ authorizationKey: authKey(o._id) }, ctx.signal);
      return (x) => ({ ...x, payment: { ...x.payment, status: 'voided' } });
    }
    try {
      const { captured } = await ctx.payments.capture(
        { key: `${o._id}:capture`, authorizationKey: authKey(o._id), amount },
        ctx.signal,
      );
      return (x) => ({ ...x, payment: { ...x.payment, status: 'captured', captured } });
    } catch (err) {
      if (!(err instanceof PaymentDeclinedError)) throw err;
      // The goods are with the customer; the money needs ops (expired authorisation, provider refusal).
      const reason = `capture refused: ${(err as Error).message}`;
      return (x) =>
        withAttention(
          { ...x, payment: { ...x.payment, status: 'authorized' } },
          'capture-failed',
          reason,
          ctx.clock().toISOString(),
        );
    }
  },
};

/** Money going back on cancellation: void what is only authorised, refund what was captured. */
export function settleOnCancel(noShowFee: (o: OrderDoc) => Money | null): Step {
  return {
    name: 'settle_payment',
    when: (o) =>
      o.payment.method === 'card' &&
      ['pending', 'authorized', 'captured', 'partially_refunded'].includes(o.payment.status),
    async run(ctx, o) {
      const p = o.payment;
      if (p.status === 'captured' || p.status === 'partially_refunded') {
        const amount = refundable(o);
        if (amount.amountMinor > 0) {
          await ctx.payments.refund(
            { key: `${o._id}:refund-cancel`, authorizationKey: authKey(o._id), amount },
            ctx.signal,
          );
        }
        return (x) => ({
          ...x,
          payment: {
            ...x.payment,
            status: 'refunded',
            refunded: add(x.payment.refunded ?? zero(x.currency), amount),
          },
        });
      }
      const fee = p.status === 'authorized' ? noShowFee(o) : null;
      if (fee && fee.amountMinor > 0) {
        // Partial capture: the fee is kept, the rest of the hold is released by the provider.
        const { captured } = await ctx.payments.capture(
          { key: `${o._id}:capture`, authorizationKey: authKey(o._id), amount: fee },
          ctx.signal,
        );
        return (x) => ({ ...x, payment: { ...x.payment, status: 'captured', captured } });
      }
      await ctx.payments.void({ authorizationKey: authKey(o._id) }, ctx.signal);
      return (x) => ({ ...x, payment: { ...x.payment, status: 'voided' } });
    },
  };
}

/** Voucher orders: the codes are what is sold, issued on confirmation, so the money is taken then. */
export const captureVoucherPayment: Step = {
  ...capturePayment,
  name: 'capture_voucher_payment',
  when: (o) =>
    o.fulfilment.method === 'voucher' && o.payment.method === 'card' && o.payment.status === 'authorized',
};
