import type { Money, OfferKind } from './offer';

export type VoucherStatus = 'active' | 'used' | 'expired' | 'refunded' | 'void';

/** One voucher unit: one code, bought in one order line. */
export interface Voucher {
  /** `<orderId>:<sku>:<unit>`: issuing the same order twice makes the same vouchers. */
  _id: string;
  offerId: string;
  orderId: string;
  customerId?: string;
  sku: string;
  kind: OfferKind;
  /** What the customer paid for this unit. */
  pricePaid: Money;
  /** What it is worth at the counter (value vouchers: the face value; others: the price paid). */
  face: Money;
  /** Face value redeemed so far (minor units). */
  used: number;
  /** Share of `pricePaid` owed to stores for what was redeemed so far (minor units). */
  settled: number;
  redemptions: number;
  status: VoucherStatus;
  validFrom: string;
  validUntil: string;
  codeNonce: string;
  /** Peppered hash of the code: unique, the lookup key. */
  codeHash: string;
  issuedAt: string;
  refund?: { refundId: string; amount: Money; reason: 'customer' | 'expired' | 'ops'; at: string };
  closedAt?: string;
  version: number;
  [k: string]: unknown;
}

export const remaining = (v: Voucher): number => v.face.amountMinor - v.used;

/**
 * What the store is owed for redeeming `amount` more face value: the share of the price paid, computed
 * on the running total so the parts of a fully used voucher add up to exactly the price paid.
 */
export function settlementFor(v: Voucher, amount: number): number {
  const share = (used: number) => Math.floor((v.pricePaid.amountMinor * used) / v.face.amountMinor);
  return share(v.used + amount) - share(v.used);
}

/** What goes back to the customer for the unused part. */
export const refundableAmount = (v: Voucher): number => v.pricePaid.amountMinor - v.settled;
