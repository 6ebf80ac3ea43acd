import type { GoodsLine } from '../domain/offer';

/**
 * What a goods voucher needs from inventory: hold the goods at the redeeming store, then turn the
 * hold into the store's sale (or let it go when the redemption is refused). Keyed by the
 * redemption's reservation id, so a retry repeats, never duplicates.
 */
export interface StockPort {
  /** Throws `OutOfStockError` when the store does not have the goods. */
  hold(reservationId: string, storeId: string, lines: GoodsLine[], redemptionRef: string): Promise<void>;
  commit(reservationId: string): Promise<void>;
  release(reservationId: string, reason: string): Promise<void>;
}

export class OutOfStockError extends Error {}
