import type { Collection, DocumentStore } from '@omni/store';
import type { Money, Offer } from '../domain/offer';
import type { Voucher } from '../domain/voucher';

/** One redemption: the ledger line every report and trace reads. */
export interface Redemption {
  _id: string;
  voucherId: string;
  offerId: string;
  orderId: string;
  storeId: string;
  /** Account subject of the clerk (or counter client) that redeemed. */
  clerk: string;
  amount: Money;
  settlement: Money;
  day: string;
  redeemedAt: string;
  recordedAt: string;
  offline: boolean;
  clientOpId?: string;
  /** Goods vouchers: the inventory reservation committed as the store's sale. */
  movement?: { reservationId: string; status: 'pending' | 'committed' | 'failed'; detail?: string };
  [k: string]: unknown;
}

/** Redemptions per (offer, store, UTC day): the per-store daily limit is a conditional $inc here. */
export interface DayCounter {
  _id: string;
  count: number;
  [k: string]: unknown;
}

/** One offline counter redemption by client op id: applied once, its outcome replayed on retry. */
export interface SyncOp {
  _id: string;
  storeId: string;
  result: SyncResult;
  at: string;
  [k: string]: unknown;
}

export interface SyncResult {
  clientOpId: string;
  outcome: 'applied' | 'rejected' | 'conflict';
  voucherId?: string;
  redemptionId?: string;
  conflictId?: string;
  error?: { type: string; detail: string };
}

export type ConflictKind =
  | 'double-redemption'
  | 'limit-exceeded'
  | 'not-redeemable'
  | 'order-cancelled-after-redemption'
  | 'stock-movement-failed';

/** Something the service would not accept, kept for ops (never applied silently). */
export interface VoucherConflict {
  _id: string;
  kind: ConflictKind;
  storeId?: string;
  voucherId: string;
  orderId: string;
  clientOpId?: string;
  clerk?: string;
  offlineRedeemedAt?: string;
  amount?: Money;
  detail: string;
  /** The redemptions that were accepted before (double redemption: where it was used). */
  acceptedRedemptions: string[];
  detectedAt: string;
  status: 'open' | 'resolved';
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
  [k: string]: unknown;
}

/** Failed code look-ups per counter (store + account) per window: the brute-force brake. */
export interface ThrottleWindow {
  _id: string;
  failures: number;
  until: string;
  [k: string]: unknown;
}

/** Orders seen cancelled (a late or redelivered confirmation issues nothing). */
export interface OrderTombstone {
  _id: string;
  cancelledAt: string;
  [k: string]: unknown;
}

export interface VouchersCollections {
  offers: Collection<Offer>;
  vouchers: Collection<Voucher>;
  redemptions: Collection<Redemption>;
  dayCounters: Collection<DayCounter>;
  syncOps: Collection<SyncOp>;
  conflicts: Collection<VoucherConflict>;
  throttle: Collection<ThrottleWindow>;
  cancelledOrders: Collection<OrderTombstone>;
}

export function vouchersCollections(store: DocumentStore): VouchersCollections {
  return {
    offers: store.collection<Offer>({
      name: 'voucher_offers',
      indexes: [{ keys: { sku: 1 }, unique: true }, { keys: { createdAt: 1 } }],
    }),
    vouchers: store.collection<Voucher>({
      name: 'vouchers',
      indexes: [
        { keys: { codeHash: 1 }, unique: true },
        { keys: { orderId: 1 } },
        { keys: { customerId: 1, issuedAt: 1 } },
        { keys: { status: 1, validUntil: 1 } },
      ],
    }),
    redemptions: store.collection<Redemption>({
      name: 'voucher_redemptions',
      indexes: [
        { keys: { storeId: 1, redeemedAt: 1 } },
        { keys: { voucherId: 1 } },
        { keys: { 'movement.status': 1 } },
      ],
    }),
    dayCounters: store.collection<DayCounter>('voucher_day_counters'),
    syncOps: store.collection<SyncOp>('voucher_sync_ops'),
    conflicts: store.collection<VoucherConflict>({
      name: 'voucher_conflicts',
      indexes: [{ keys: { status: 1, detectedAt: 1 } }],
    }),
    throttle: store.collection<ThrottleWindow>('voucher_throttle'),
    cancelledOrders: store.collection<OrderTombstone>('voucher_cancelled_orders'),
  };
}
