import type { Actor, Line } from './types';

/**
 * Warehouse (and ship-from-store) picking: where each SKU sits in a location (its bin), pick lists
 * that walk the bins in order, and per order on a list the pick outcome (picked, short) and packing.
 */

/** The bin a SKU is kept in at one location. `_id` = `${locationId}|${sku}`. */
export type BinDoc = {
  _id: string;
  locationId: string;
  sku: string;
  /** Bin code, e.g. "A-03-2" (aisle-rack-shelf): pick lists sort by it. */
  bin: string;
  updatedAt: string;
  updatedBy: Actor;
};

export type PickOrderStatus = 'to_pick' | 'picked' | 'short' | 'packed';

/** One item of a pick list: a line of one order's reservation, at its bin. */
export type PickItem = {
  orderId: string;
  reservationId: string;
  sku: string;
  qty: number;
  bin: string | null;
};

export type Parcel = { parcelId: string; weightGrams: number };

/** A pick list (one order, or a wave of several), items in bin order. */
export type PickListDoc = {
  _id: string;
  locationId: string;
  items: PickItem[];
  orderIds: string[];
  createdBy: Actor;
  createdAt: string;
};

/**
 * The picking state of one reservation on a pick list; `_id` = reservation id, so a reservation is
 * on one pick list at most (a second claim is a duplicate key, however concurrent).
 */
export type PickOrderDoc = {
  _id: string;
  pickListId: string;
  orderId: string;
  locationId: string;
  lines: Line[];
  status: PickOrderStatus;
  /** Units not found on the shelf, per SKU (status short). */
  shortLines?: Line[];
  parcels?: Parcel[];
  pickedBy?: Actor;
  pickedAt?: string;
  packedBy?: Actor;
  packedAt?: string;
  updatedAt: string;
};

/** Bins sort like an aisle walk: "A-2" before "A-10"; items without a bin go last. */
export function compareBins(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b, 'en', { numeric: true });
}

export function sortByBin(items: PickItem[]): PickItem[] {
  return [...items].sort(
    (x, y) =>
      compareBins(x.bin, y.bin) ||
      x.sku.localeCompare(y.sku) ||
      x.orderId.localeCompare(y.orderId) ||
      x.reservationId.localeCompare(y.reservationId),
  );
}

/**
 * The shortfall a picker reported, checked against what the order had reserved: only SKUs of the
 * order, never more than reserved; one line per SKU.
 */
export function shortfallOf(
  reserved: Line[],
  reported: Line[],
):
  | { ok: true; short: Line[] }
  | { ok: false; bad: Array<{ sku: string; missing: number; reserved: number }> } {
  const bySku = new Map<string, number>();
  for (const l of reported) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.qty);
  const bad: Array<{ sku: string; missing: number; reserved: number }> = [];
  const short: Line[] = [];
  for (const [sku, missing] of bySku) {
    const had = reserved.find((l) => l.sku === sku)?.qty ?? 0;
    if (missing > had) bad.push({ sku, missing, reserved: had });
    else short.push({ sku, qty: missing });
  }
  return bad.length > 0 ? { ok: false, bad } : { ok: true, short };
}
