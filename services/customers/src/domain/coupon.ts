/**
 * Coupons: a customer's wallet of money-off vouchers (goodwill after a late delivery, ops gestures,
 * promotions). A coupon has one value in one currency, pays for (part of) one order and is then
 * spent; when that order is cancelled it comes back (or is expired, if its date passed meanwhile).
 * Unspent coupons expire at `expiresAt`.
 */

export type CouponStatus = 'active' | 'redeemed' | 'expired';
export type CouponReason = 'late_delivery' | 'goodwill' | 'promotion';

export interface CouponMoney {
  amountMinor: number;
  currency: string;
}

export interface CouponDoc {
  /** Natural ids where issuing must happen once (late-<tier>-<orderId>); otherwise generated. */
  _id: string;
  customerId: string;
  value: CouponMoney;
  reason: CouponReason;
  note?: string;
  status: CouponStatus;
  issuedAt: string;
  issuedBy: { sub: string; role: string };
  expiresAt: string;
  /** The order the coupon compensates (late delivery). */
  sourceOrderId?: string;
  /** The order that spent it, while redeemed. */
  redeemedFor?: { orderId: string; at: string };
  expiredAt?: string;
  /** Every redeem/release, newest last (short: a coupon is spent at most a few times). */
  history: Array<{ action: 'redeemed' | 'released' | 'expired'; orderId?: string; at: string }>;
  [k: string]: unknown;
}

/** Why a coupon cannot pay for an order now, or null when it can. */
export function unusableReason(c: CouponDoc, orderId: string, currency: string, now: string): string | null {
  if (c.status === 'redeemed')
    return c.redeemedFor?.orderId === orderId ? null : 'the coupon was already used';
  if (c.status === 'expired' || c.expiresAt <= now) return 'the coupon has expired';
  if (c.value.currency !== currency) return `the coupon is in ${c.value.currency}, the order in ${currency}`;
  return null;
}
