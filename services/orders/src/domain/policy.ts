import { min, money, subtract, zero, max0, add, lineTotal } from './money';
import type { LateCompensation, Line, Money, OrderDoc } from './types';
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

/**
 * Points a refund takes back: as many as the refunded money earned when the order completed
 * (customers accrue `pointsPerMajorUnit` per whole currency unit of the order total).
 */
export function pointsForRefund(refund: Money, pointsPerMajorUnit: number): number {
  if (refund.amountMinor <= 0) return 0;
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: refund.currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  return Math.floor((refund.amountMinor * pointsPerMajorUnit) / 10 ** digits);
}
