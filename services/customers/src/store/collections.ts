import type { Collection, DocumentStore, Session } from '@omni/store';
import type { CouponDoc } from '../domain/coupon';
import type { NotificationDoc, NotificationPrefsDoc } from '../domain/notification';
import type { CustomerDoc } from '../domain/customer';
import type { IdentityKind } from '../domain/identity';

/**
 * The customers service's collections. Identities live in their own collection keyed by
 * "<kind>:<normalised value>", so uniqueness of an identity across customers is the uniqueness of
 * `_id` — the strongest guarantee both store adapters give, also under concurrent transactions.
 */

export interface IdentityDoc {
  /** identityKey(kind, value) */
  _id: string;
  customerId: string;
  kind: IdentityKind;
  value: string;
  verified: boolean;
  addedAt: string;
  verifiedAt?: string;
  [k: string]: unknown;
}

export type LedgerKind =
  | 'accrual'
  | 'redemption'
  | 'refund'
  | 'expiry'
  | 'merge_in'
  | 'merge_out'
  | 'adjustment'
  /** Points of a purchase taken back because goods came back (till or online return). */
  | 'reversal'
  | 'erasure';

/**
 * One immutable entry of the points ledger. Entries are never updated or deleted; a customer's
 * balance is the sum of its entries' deltas. Ids are natural keys where the change must happen at
 * most once (accrual:<orderId>, redeem:<operationId>, refund:<operationId>, adjust:<operationId>).
 */
export interface LedgerEntry {
  _id: string;
  customerId: string;
  kind: LedgerKind;
  delta: number;
  balanceAfter: number;
  at: string;
  orderId?: string;
  operationId?: string;
  /** Debits: how many points were taken from which lot (FIFO by expiry). */
  lots?: Array<{ lotId: string; take: number }>;
  /** Merges: the other record. */
  counterpartId?: string;
  mergeId?: string;
  note?: string;
  [k: string]: unknown;
}

/**
 * A batch of points with one expiry date, created by every credit (accrual, refund, positive
 * adjustment) and consumed FIFO by debits. `remaining` is derived state: the sum of `remaining` of a
 * customer's lots equals its balance (checked by reconcilePoints).
 */
export interface LotDoc {
  /** The id of the ledger entry that created the lot. */
  _id: string;
  customerId: string;
  original: number;
  remaining: number;
  earnedAt: string;
  expiresAt: string;
  source: 'accrual' | 'refund' | 'adjustment';
  [k: string]: unknown;
}

/** What this service knows about an order of a customer (moves with the customer on merge). */
export interface OrderRefDoc {
  /** orderId */
  _id: string;
  customerId: string;
  channel?: string;
  total?: { amountMinor: number; currency: string };
  completedAt?: string;
  pointsEarned: number;
  pointsRedeemed: number;
  pointsRefunded: number;
  /** pointsRedeemed − pointsRefunded, kept as a field so a refund is one guarded update. */
  refundable: number;
  /** Earned points taken back by returns (never above pointsEarned). */
  pointsReversed?: number;
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

export interface MergeDoc {
  _id: string;
  survivorId: string;
  mergedId: string;
  trigger: 'manual' | 'verified_phone';
  reason?: string;
  actor: { sub: string; role: string };
  at: string;
  moved: { points: number; lifetimePoints: number; identities: number; addresses: number; orders: number };
  [k: string]: unknown;
}

/**
 * A one-time code sent to a member so staff can spend their points at a counter. Only a hash is kept;
 * it is short-lived, single use and allows a few attempts.
 */
export interface PresenceCodeDoc {
  _id: string;
  customerId: string;
  /** sha256(codeId|code), base64url. */
  hash: string;
  storeId: string;
  issuedBy: { sub: string; role: string };
  issuedAt: string;
  expiresAt: string;
  failedAttempts: number;
  usedAt?: string;
  [k: string]: unknown;
}

/**
 * A till sale or return inventory published (StoreSaleRecorded), as customers handled it: matched to
 * a member (points moved, in the member's history) or flagged `unknown-member` (kept for ops, never lost).
 */
export interface StoreSaleDoc {
  /** `<storeId>:<clientOpId>` */
  _id: string;
  storeId: string;
  clientOpId: string;
  kind: 'sale' | 'return';
  status: 'matched' | 'unknown-member';
  customerId?: string;
  lines: Array<{ sku: string; qty: number; unitPrice?: { amountMinor: number; currency: string } }>;
  total?: { amountMinor: number; currency: string };
  /** Credited by a sale (≥ 0) or taken back by a return (≤ 0). */
  points: number;
  /** Sales: points taken back by later returns naming this sale. */
  pointsReversed?: number;
  returnOf?: string;
  /** What the till typed: kept only for `unknown-member`, so ops can find the member. */
  member?: { card?: string; phone?: string };
  occurredAt: string;
  recordedAt: string;
  [k: string]: unknown;
}

/**
 * A return refunded online whose earned points must come back. Kept until the order's accrual is
 * known, so a refund that arrives before the completion (another topic) is applied when it lands.
 */
export interface PointsReversalDoc {
  /** `return:<returnId>` */
  _id: string;
  orderId: string;
  refund: { amountMinor: number; currency: string };
  status: 'pending' | 'applied';
  points?: number;
  createdAt: string;
  appliedAt?: string;
  [k: string]: unknown;
}

export interface CustomersCollections {
  storeSales: Collection<StoreSaleDoc>;
  reversals: Collection<PointsReversalDoc>;
  presenceCodes: Collection<PresenceCodeDoc>;
  customers: Collection<CustomerDoc>;
  identities: Collection<IdentityDoc>;
  ledger: Collection<LedgerEntry>;
  lots: Collection<LotDoc>;
  orders: Collection<OrderRefDoc>;
  merges: Collection<MergeDoc>;
  coupons: Collection<CouponDoc>;
  notifications: Collection<NotificationDoc>;
  notificationPrefs: Collection<NotificationPrefsDoc>;
  notificationOrders: Collection<NotificationOrderDoc>;
}

/** Which customer an order belongs to (from OrderConfirmed), for events that carry no customer id. */
export interface NotificationOrderDoc {
  /** orderId */
  _id: string;
  customerId: string;
  method: string;
  locationId: string;
  [k: string]: unknown;
}

export function openCollections(store: DocumentStore): CustomersCollections {
  return {
    storeSales: store.collection<StoreSaleDoc>({
      name: 'store_sales',
      indexes: [{ keys: { customerId: 1, occurredAt: 1 } }, { keys: { status: 1, recordedAt: 1 } }],
    }),
    reversals: store.collection<PointsReversalDoc>({ name: 'points_reversals', indexes: [{ keys: { orderId: 1, status: 1 } }] }),
    presenceCodes: store.collection<PresenceCodeDoc>({
      name: 'presence_codes',
      indexes: [{ keys: { customerId: 1 } }, { keys: { expiresAt: 1 } }],
    }),
    customers: store.collection<CustomerDoc>({
      name: 'customers',
      indexes: [{ keys: { mergedInto: 1 } }, { keys: { status: 1, createdAt: 1 } }],
    }),
    identities: store.collection<IdentityDoc>({ name: 'identities', indexes: [{ keys: { customerId: 1 } }] }),
    ledger: store.collection<LedgerEntry>({
      name: 'points_ledger',
      indexes: [{ keys: { customerId: 1, at: 1 } }, { keys: { orderId: 1 } }],
    }),
    lots: store.collection<LotDoc>({
      name: 'points_lots',
      indexes: [{ keys: { customerId: 1, expiresAt: 1 } }, { keys: { expiresAt: 1 } }],
    }),
    orders: store.collection<OrderRefDoc>({ name: 'order_refs', indexes: [{ keys: { customerId: 1 } }] }),
    merges: store.collection<MergeDoc>({
      name: 'merges',
      indexes: [{ keys: { mergedId: 1 } }, { keys: { survivorId: 1 } }],
    }),
    coupons: store.collection<CouponDoc>({
      name: 'coupons',
      // the wallet, newest first; the expiry sweep
      indexes: [{ keys: { customerId: 1, issuedAt: -1 } }, { keys: { status: 1, expiresAt: 1 } }],
    }),
    notifications: store.collection<NotificationDoc>({
      name: 'notifications',
      // the customer's list, newest first; the delivery job
      indexes: [{ keys: { customerId: 1, createdAt: -1 } }, { keys: { status: 1, nextAttemptAt: 1 } }],
    }),
    notificationPrefs: store.collection<NotificationPrefsDoc>({ name: 'notification_prefs' }),
    notificationOrders: store.collection<NotificationOrderDoc>({ name: 'notification_orders' }),
  };
}

/** Longest merge chain followed (chains are compressed on every merge, so 1 is the norm). */
const MAX_MERGE_HOPS = 16;

export interface Resolved {
  doc: CustomerDoc;
  /** The requested id when it was a merged record. */
  resolvedFrom?: string;
}

/** Finds a customer by id and follows merges to the survivor; null when the id is unknown. */
export async function resolveCustomer(
  db: CustomersCollections,
  id: string,
  session?: Session,
): Promise<Resolved | null> {
  let doc = await db.customers.findById(id, { session });
  for (let hops = 0; doc && doc.status === 'merged' && doc.mergedInto; hops++) {
    if (hops >= MAX_MERGE_HOPS) throw new Error(`merge chain from ${id} is longer than ${MAX_MERGE_HOPS}`);
    doc = await db.customers.findById(doc.mergedInto, { session });
  }
  if (!doc) return null;
  return doc._id === id ? { doc } : { doc, resolvedFrom: id };
}
