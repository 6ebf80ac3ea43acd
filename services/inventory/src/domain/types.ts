/**
 * The inventory model. Documents are plain JSON (times as ISO-8601 UTC strings) so the same shapes
 * live in the embedded store, MongoDB, the journal and the API.
 */

export type LocationType = 'warehouse' | 'store';
export type Capability = 'ships' | 'pickup' | 'local-delivery';
export type LocationStatus = 'active' | 'paused';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export type GeoPoint = { lat: number; lng: number };
export type Address = { lines: string[]; city: string; postalCode: string; country: string };
/** One opening window of a weekday, local time "HH:MM"; a day may have several windows. */
export type OpeningWindow = { day: Weekday; open: string; close: string };

import type { Actor } from '@omni/kit';
export type { Actor };
/** Background jobs (expiry sweep, seeding) act as this actor in the ledger. */
export const SYSTEM_ACTOR: Actor = { sub: 'system:inventory', role: 'system' };

export type Line = { sku: string; qty: number };

export type LocationDoc = {
  _id: string;
  name: string;
  type: LocationType;
  address: Address;
  geo: GeoPoint;
  openingHours: OpeningWindow[];
  capabilities: Capability[];
  status: LocationStatus;
  statusReason?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

/**
 * Stock of one SKU at one location. `available` is stored for the reserve guard
 * (`available >= qty` in the filter of one conditional update) and is kept equal to
 * onHand − reserved − safetyStock by changing it in the same `$inc` as its parts, never apart.
 *
 * onHand may be negative, and reserved may exceed onHand, only through a store's POS sale of units
 * the ledger did not have (an offline sale synced late): the physical truth wins, the movement
 * that caused it is in the ledger, affected reservations got ReservationAtRisk events, and the level
 * carries derived flags (see `levelFlags`) so ops can list such exceptions.
 */
export type StockLevelDoc = {
  _id: string;
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  reorderPoint: number;
  available: number;
  /** A LowStock alert was sent and available has not risen above the reorder point since. */
  lowStockAlerted: boolean;
  version: number;
  updatedAt: string;
};

export const MOVEMENT_REASONS = [
  'receipt',
  'pos-sale',
  'adjustment',
  'transfer-out',
  'transfer-in',
  'return',
  'damage',
  'qc-fail',
  // A picker did not find reserved units on the shelf: written off, the order moves elsewhere.
  'pick-short',
  /** Units sent back to their supplier against a purchase order (ref: the purchase order). */
  'supplier-return',
  'reservation-reserve',
  'reservation-release',
  'reservation-commit',
] as const;
export type MovementReason = (typeof MOVEMENT_REASONS)[number];

/** One append-only ledger entry. Replaying every entry of a (sku, location) gives its onHand and reserved. */
export type MovementDoc = {
  /** Time-ordered id: ledger order. */
  _id: string;
  /** Unique per effect: a retried operation hits the unique index instead of applying twice. */
  opId: string;
  sku: string;
  locationId: string;
  reason: MovementReason;
  onHandDelta: number;
  reservedDelta: number;
  /** Units the movement is about; equals |delta| except for qc-fail (rejected units, no level change). */
  qty: number;
  onHandAfter: number;
  reservedAfter: number;
  actor: Actor;
  at: string;
  /** What caused it: a reservation, transfer, POS op, receipt, count or adjustment. */
  ref?: { type: string; id: string };
  note?: string;
};

export type ReservationStatus = 'active' | 'committed' | 'released' | 'expired';
export type Channel = 'online' | 'store' | 'phone';

export type ReservationDoc = {
  _id: string;
  locationId: string;
  orderId?: string;
  channel: Channel;
  /** As first requested (normalised): a retry with other lines is a conflict. */
  requested: Line[];
  /** Still reserved (after partial releases); after commit what was sold; empty once released or expired. */
  lines: Line[];
  status: ReservationStatus;
  /** Optimistic guard of every transition. */
  version: number;
  expiresAt: string;
  createdAt: string;
  /** Time-ordered id taken at creation: "newest first" without ties, whatever the clock says. */
  createdSeq: string;
  updatedAt: string;
  /** Operation ids of releases already applied (idempotency of partial releases). */
  releaseOps: string[];
  releaseReason?: string;
  /** Set when a store sale left this location short: what cannot be honoured here. */
  atRisk?: { shortLines: Line[]; at: string; cause: { kind: string; opId?: string } };
};

export type TransferStatus = 'requested' | 'shipped' | 'received';
export type TransferLine = { sku: string; qty: number; receivedQty?: number };

export type TransferDoc = {
  _id: string;
  fromLocationId: string;
  toLocationId: string;
  lines: TransferLine[];
  status: TransferStatus;
  note?: string;
  requestedBy: Actor;
  requestedAt: string;
  shippedAt?: string;
  receivedAt?: string;
  /** Shipped minus received per SKU, when they differ (positive = lost in transit). */
  discrepancies?: Line[];
};

export const POS_OP_TYPES = ['sale', 'return', 'receipt', 'count'] as const;
export type PosOpType = (typeof POS_OP_TYPES)[number];
export type PosOpStatus = 'held' | 'applied' | 'rejected';

/** One store POS operation as received; applied in per-store sequence order, exactly once. */
/** A till's member and prices for a sale or return (inventory stores and forwards them, never prices stock by them). */
export type TillDetails = {
  member?: { card?: string; phone?: string };
  /** The lines as the till sent them, with their unit prices (present when any line is priced). */
  pricedLines?: Array<{ sku: string; qty: number; unitPrice?: { amountMinor: number; currency: string } }>;
  returnOf?: string;
};

export type PosOpDoc = {
  /** `${storeId}|${clientOpId}`. */
  _id: string;
  storeId: string;
  clientOpId: string;
  seq: number;
  type: PosOpType;
  /** For `count`, qty is the counted quantity. */
  lines: Line[];
  occurredAt?: string;
  /** Sales and returns: who bought and what the till charged, passed on as StoreSaleRecorded. */
  till?: TillDetails;
  /** Hash of the op's content: the same clientOpId with other content is rejected. */
  hash: string;
  status: PosOpStatus;
  reason?: string;
  actor: Actor;
  receivedAt: string;
  appliedAt?: string;
};

export type SeqRange = { from: number; to: number };

/** Per-store sync position: the last applied sequence number, and gaps skipped by `force`. */
export type PosCursorDoc = {
  _id: string;
  lastSeq: number;
  skipped: SeqRange[];
  version: number;
  updatedAt: string;
};
