import type { Actor, Line } from './types';

/**
 * Restock and purchasing: the manager's inbox of replenishment suggestions, suppliers, purchase
 * orders and min/max replenishment rules. Plain JSON documents, like the rest of the model.
 */

export type SuggestionStatus = 'open' | 'transferred' | 'ordered' | 'dismissed';
export type SuggestionOrigin = 'low-stock' | 'rule';

/**
 * One replenishment suggestion for a SKU at a location. `openKey` is `sku|locationId` while the
 * suggestion is open and `closed|<id>` after: a unique index on it makes "one open suggestion per SKU
 * and location" a property of the store, not of a read-then-write.
 */
export type SuggestionDoc = {
  _id: string;
  openKey: string;
  sku: string;
  locationId: string;
  status: SuggestionStatus;
  origin: SuggestionOrigin;
  suggestedQty: number;
  suggestedSourceLocationId?: string;
  /** The SKU's supplier when one is known (a purchase order is possible). */
  supplierId?: string;
  available: number;
  reorderPoint: number;
  /** Alerts merged into this suggestion (1 for a fresh one). */
  alerts: number;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  closedBy?: Actor;
  /** What the suggestion became. */
  result?: { type: 'transfer' | 'purchase-order'; id: string };
  dismissReason?: string;
  /** Why a rule left it open for a human (e.g. over budget, no source). */
  note?: string;
};

export const openKeyOf = (sku: string, locationId: string) => `${sku}|${locationId}`;

export type SupplierDoc = {
  _id: string;
  name: string;
  /** Days from placing an order to its expected arrival. */
  leadTimeDays: number;
  email?: string;
  /** SKUs this supplier is the supplier of (the SKU's supplier is the one naming it). */
  skus: string[];
  createdAt: string;
  updatedAt: string;
};

/** The SKU's supplier, keyed by SKU: one supplier per SKU. */
export type SkuSupplierDoc = { _id: string; supplierId: string };

export type PurchaseOrderStatus = 'draft' | 'placed' | 'partially-received' | 'received' | 'cancelled';

export type PurchaseOrderLine = {
  sku: string;
  /** Ordered units (0 for an item that arrived without being ordered). */
  qty: number;
  acceptedQty: number;
  rejectedQty: number;
  /** Rejected (quarantined, never stocked) units sent back to the supplier so far. */
  returnedQty: number;
  /** Accepted units taken back out of stock and sent back (found faulty or wrong later). */
  returnedFromStockQty: number;
  /** Arrived without being on the order (wrong item). */
  unordered?: boolean;
};

/** Per delivered line; "under" is what `outstanding` lists after the delivery. */
export type ReceiptMatchFlag = 'ok' | 'over' | 'wrong-item';

export type PurchaseOrderReceipt = {
  receiptId: string;
  at: string;
  late: boolean;
  lines: Array<{ sku: string; acceptedQty: number; rejectedQty: number; flag: ReceiptMatchFlag }>;
};

export type PurchaseOrderDoc = {
  _id: string;
  supplierId: string;
  /** Where the goods are delivered. */
  locationId: string;
  status: PurchaseOrderStatus;
  lines: PurchaseOrderLine[];
  expectedAt?: string;
  note?: string;
  suggestionId?: string;
  createdBy: Actor;
  createdAt: string;
  placedAt?: string;
  /** When the last outstanding unit arrived. */
  receivedAt?: string;
  cancelledAt?: string;
  receipts: PurchaseOrderReceipt[];
  version: number;
};

export type ReplenishmentMode = 'auto' | 'transfer' | 'purchase';

/** Min/max for a SKU at a location: at or below `min` (available + on order), order up to `max`. */
export type ReplenishmentRuleDoc = {
  /** `sku|locationId`. */
  _id: string;
  sku: string;
  locationId: string;
  min: number;
  max: number;
  mode: ReplenishmentMode;
  enabled: boolean;
  /** What the rule last created and is still waiting for (no second order until it lands). */
  pending?: { type: 'transfer' | 'purchase-order'; id: string };
  lastRunAt?: string;
  updatedAt: string;
  updatedBy: Actor;
};

/** Units of the per-location daily budget that rules have spent: `locationId|YYYY-MM-DD`. */
export type ReplenishmentBudgetDoc = { _id: string; used: number };

/** Ordered units still to arrive on a line. */
export const outstanding = (l: PurchaseOrderLine) => Math.max(0, l.qty - l.acceptedQty - l.rejectedQty);

/**
 * Matches one delivery against the order: each received line is `wrong-item` (not ordered),
 * `over` (more arrived than was outstanding) or `ok`; ordered lines still outstanding after it are
 * `under`. Returns the order lines after the delivery.
 */
export function matchDelivery(
  lines: readonly PurchaseOrderLine[],
  received: ReadonlyArray<{ sku: string; acceptedQty: number; rejectedQty: number }>,
): {
  lines: PurchaseOrderLine[];
  matched: Array<{ sku: string; acceptedQty: number; rejectedQty: number; flag: ReceiptMatchFlag }>;
  under: Line[];
} {
  const after = lines.map((l) => ({ ...l }));
  const matched: Array<{ sku: string; acceptedQty: number; rejectedQty: number; flag: ReceiptMatchFlag }> =
    [];
  for (const r of received) {
    let line = after.find((l) => l.sku === r.sku);
    const wrong = !line || line.unordered === true;
    if (!line) {
      line = {
        sku: r.sku,
        qty: 0,
        acceptedQty: 0,
        rejectedQty: 0,
        returnedQty: 0,
        returnedFromStockQty: 0,
        unordered: true,
      };
      after.push(line);
    }
    const before = outstanding(line);
    line.acceptedQty += r.acceptedQty;
    line.rejectedQty += r.rejectedQty;
    const flag: ReceiptMatchFlag = wrong
      ? 'wrong-item'
      : r.acceptedQty + r.rejectedQty > before
        ? 'over'
        : 'ok';
    matched.push({ sku: r.sku, acceptedQty: r.acceptedQty, rejectedQty: r.rejectedQty, flag });
  }
  const under = after
    .filter((l) => !l.unordered && outstanding(l) > 0)
    .map((l) => ({ sku: l.sku, qty: outstanding(l) }));
  return { lines: after, matched, under };
}

export interface SupplierPerformance {
  supplierId: string;
  /** Orders placed and not cancelled. */
  purchaseOrders: number;
  orderedUnits: number;
  /** Accepted units of ordered items, capped at what was ordered per line. */
  acceptedUnits: number;
  rejectedUnits: number;
  /** acceptedUnits / orderedUnits (null before anything was ordered). */
  fillRate: number | null;
  /** Orders fully received, and those of them that arrived by their expected date. */
  completed: number;
  onTime: number;
  /** Deliveries after the expected date, and their average lateness in days. */
  lateDeliveries: number;
  averageDaysLate: number | null;
  /** Orders past their expected date with units still outstanding. */
  overdue: number;
}

const DAY_MS = 86_400_000;

/** Fill rate and lateness of a supplier from its purchase orders (draft and cancelled ones excluded). */
export function supplierPerformance(
  supplierId: string,
  orders: readonly PurchaseOrderDoc[],
  now: Date,
): SupplierPerformance {
  const live = orders.filter((o) => o.status !== 'draft' && o.status !== 'cancelled');
  let orderedUnits = 0;
  let acceptedUnits = 0;
  let rejectedUnits = 0;
  let completed = 0;
  let onTime = 0;
  let overdue = 0;
  let lateDeliveries = 0;
  let daysLate = 0;
  for (const o of live) {
    for (const l of o.lines) {
      rejectedUnits += l.rejectedQty;
      if (l.unordered) continue;
      orderedUnits += l.qty;
      acceptedUnits += Math.min(l.qty, l.acceptedQty);
    }
    const expected = o.expectedAt ? Date.parse(o.expectedAt) : undefined;
    if (o.status === 'received') {
      completed++;
      if (expected === undefined || Date.parse(o.receivedAt ?? o.createdAt) <= expected) onTime++;
    } else if (expected !== undefined && now.getTime() > expected) overdue++;
    for (const r of o.receipts) {
      if (!r.late || expected === undefined) continue;
      lateDeliveries++;
      daysLate += (Date.parse(r.at) - expected) / DAY_MS;
    }
  }
  return {
    supplierId,
    purchaseOrders: live.length,
    orderedUnits,
    acceptedUnits,
    rejectedUnits,
    fillRate: orderedUnits > 0 ? acceptedUnits / orderedUnits : null,
    completed,
    onTime,
    lateDeliveries,
    averageDaysLate: lateDeliveries > 0 ? Math.round((daysLate / lateDeliveries) * 100) / 100 : null,
    overdue,
  };
}

/**
 * What a min/max rule asks for: nothing while the position (available + on order) is above min,
 * else enough to bring it back to max.
 */
export function ruleNeed(rule: Pick<ReplenishmentRuleDoc, 'min' | 'max'>, position: number): number {
  return position > rule.min ? 0 : Math.max(0, rule.max - position);
}
