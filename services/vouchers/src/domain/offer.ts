/**
 * A voucher offer: the terms of the vouchers sold under one catalog SKU of kind `voucher`.
 *
 * - `service`: one use ("2 coffees + cake"); nothing moves in inventory.
 * - `goods`: one use; at redemption the `goods` lines are sold from the redeeming store's stock.
 * - `value`: multi-use up to `faceValue` ("€50 for €40"); redeemed in parts.
 *
 * Days and times are UTC: `excludedWeekdays` (0 = Sunday) and `excludedDates` (YYYY-MM-DD) are UTC
 * days, and so is the per-day limit's day.
 */
export type OfferKind = 'service' | 'goods' | 'value';

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface GoodsLine {
  sku: string;
  qty: number;
}

export interface OfferLimits {
  /** Redemptions of this offer per store per UTC day. */
  perStorePerDay?: number;
  /** Redemptions of one (value) voucher per UTC day. */
  perVoucherPerDay?: number;
}

export interface Offer {
  _id: string;
  sku: string;
  name: string;
  kind: OfferKind;
  /** Value vouchers: what one voucher is worth at the counter. */
  faceValue?: Money;
  /** Goods vouchers: what one redemption sells from the store's stock. */
  goods?: GoodsLine[];
  /** Stores where it may be redeemed; empty = every store. */
  stores: string[];
  validFrom: string;
  validUntil: string;
  /** A voucher is valid this many days after purchase (and never past `validUntil`). */
  validDaysAfterPurchase?: number;
  excludedWeekdays: number[];
  excludedDates: string[];
  limits: OfferLimits;
  /** The customer may ask for the unused part back while the voucher is valid. */
  refundOnRequest: boolean;
  /** The unused part is refunded automatically when the voucher expires. */
  refundOnExpiry: boolean;
  createdAt: string;
  createdBy: string;
  [k: string]: unknown;
}

export type RedeemRefusal = 'not-yet-valid' | 'expired' | 'excluded-day' | 'store-not-allowed';

/** UTC day of an instant, YYYY-MM-DD. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** Why the offer does not allow a redemption at this store and time (undefined = it does). */
export function offerRefusal(
  offer: Offer,
  v: { validFrom: string; validUntil: string },
  storeId: string,
  at: Date,
): RedeemRefusal | undefined {
  const t = at.toISOString();
  if (t < v.validFrom) return 'not-yet-valid';
  if (t >= v.validUntil) return 'expired';
  if (offer.excludedWeekdays.includes(at.getUTCDay()) || offer.excludedDates.includes(dayOf(at)))
    return 'excluded-day';
  if (offer.stores.length > 0 && !offer.stores.includes(storeId)) return 'store-not-allowed';
  return undefined;
}
