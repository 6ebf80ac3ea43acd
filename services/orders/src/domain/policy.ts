import { min, money, subtract, zero, max0, add, lineTotal } from './money';
import type { LateCompensation, LateRemedy, Line, Money, OrderDoc } from './types';
import type { OrdersPolicy } from '../settings';

/** Late delivery: refund the delivery fee when it was paid by card, otherwise a coupon. */
export function lateCompensationFor(
  order: Pick<OrderDoc, 'payment' | 'deliveryFee' | 'currency'>,
  policy: Pick<OrdersPolicy, 'lateCompensation' | 'lateCouponMinor'>,
  minutesLate: number,
  at: string,
): LateCompensation {
  if (
    policy.lateCompensation === 'refund_delivery_fee' &&
    order.payment.method === 'card' &&
    order.deliveryFee.amountMinor > 0
  ) {
    return { kind: 'refund_delivery_fee', amount: order.deliveryFee, minutesLate, at };
  }
  return { kind: 'coupon', amount: money(policy.lateCouponMinor, order.currency), minutesLate, at };
}

/** Which tier of the late policy a delay reaches: nothing yet, the fee refund, or the remedy choice. */
export function lateTier(
  minutesLate: number,
  policy: Pick<OrdersPolicy, 'lateFeeAfterMinutes' | 'lateFreeOrderAfterMinutes'>,
): 'none' | 'fee' | 'remedy' {
  if (minutesLate > policy.lateFreeOrderAfterMinutes) return 'remedy';
  return minutesLate >= policy.lateFeeAfterMinutes ? 'fee' : 'none';
}

/** Wallet coupon ids are derived from the order and tier, so issuing twice is one coupon. */
export function lateCouponId(orderId: string, tier: 'fee' | LateRemedy): string {
  return `late-${tier}-${orderId}`;
}

/**
 * The remedy beyond the free-order threshold. Free order: everything the card was (or would be)
 * charged comes back; cash on delivery cannot be refunded through the payment port, so its value
 * goes to the wallet as a coupon. Re-delivery: the goods still come (or come again), the fee is back
 * through the first tier, and a goodwill coupon is added.
 */
export function lateRemedyFor(
  order: Pick<OrderDoc, '_id' | 'payment' | 'amountDue' | 'currency'>,
  policy: Pick<OrdersPolicy, 'lateCouponMinor'>,
  remedy: LateRemedy,
  minutesLate: number,
  at: string,
): LateCompensation {
  if (remedy === 'redelivery') {
    const value = money(policy.lateCouponMinor, order.currency);
    return {
      kind: 'redelivery',
      amount: zero(order.currency),
      minutesLate,
      at,
      ...(value.amountMinor > 0 ? { coupon: { couponId: lateCouponId(order._id, remedy), value } } : {}),
    };
  }
  if (order.payment.method !== 'card') {
    return {
      kind: 'free_order',
      amount: zero(order.currency),
      minutesLate,
      at,
      coupon: { couponId: lateCouponId(order._id, remedy), value: order.amountDue },
    };
  }
  const charged = order.payment.captured ? refundable(order) : captureAmount(order);
  return { kind: 'free_order', amount: charged, minutesLate, at };
}

/** What to capture now: the authorised amount less a late-delivery refund granted before capture. */
export function captureAmount(order: Pick<OrderDoc, 'amountDue' | 'payment'>): Money {
  const reduction = order.payment.captureReduction ?? zero(order.amountDue.currency);
  return max0(subtract(order.amountDue, reduction));
}

/** Card money still refundable: captured minus refunded. */
export function refundable(order: Pick<OrderDoc, 'payment' | 'currency'>): Money {
  const captured = order.payment.captured ?? zero(order.currency);
  const refunded = order.payment.refunded ?? zero(order.currency);
  return max0(subtract(captured, refunded));
}

/** Money back for returned lines at their paid unit price, never more than is still refundable. */
export function returnRefundFor(
  order: Pick<OrderDoc, 'lines' | 'payment' | 'currency'>,
  lines: Line[],
): Money {
  const value = lines.reduce((acc, l) => {
    const bought = order.lines.find((x) => x.sku === l.sku);
    return bought ? add(acc, lineTotal({ ...bought, qty: l.qty })) : acc;
  }, zero(order.currency));
  if (order.payment.method !== 'card') return value;
  return min(value, refundable(order));
}

/** Units of each SKU that may still be returned. */
export function returnableQty(order: Pick<OrderDoc, 'lines' | 'returnedQty'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of order.lines) out.set(l.sku, l.qty - (order.returnedQty[l.sku] ?? 0));
  return out;
}

/** Points discount: points × value, never more than the order total. */
export function pointsDiscount(points: number, pointValueMinor: number, total: Money): Money {
  return min(money(points * pointValueMinor, total.currency), total);
}
