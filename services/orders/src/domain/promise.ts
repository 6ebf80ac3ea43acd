/**
 * The promise model (pure): what checkout may promise, from the clock, the store's times and the
 * serving store's trip. Windows are ISO-8601 UTC; delivery slots are aligned to their length from
 * midnight UTC (60-minute slots start on the hour).
 */

export type PromiseKind = 'asap' | 'slot' | 'pickup' | 'ship';

/** What the customer is promised; the shape is shared with OrderConfirmed and notifications. */
export interface OrderPromise {
  kind: PromiseKind;
  from: string;
  to: string;
}

const MINUTE = 60_000;

export interface DeliveryTimes {
  prepMinutes: number;
  asapMarginMinutes: number;
}

/** Start of the slot of `slotMinutes` containing `atMs`. */
export function slotStartMs(atMs: number, slotMinutes: number): number {
  const len = slotMinutes * MINUTE;
  return Math.floor(atMs / len) * len;
}

/** ASAP: from now until now + prep + trip + margin, rounded up to the minute. */
export function asapWindow(nowMs: number, tripMinutes: number, t: DeliveryTimes): OrderPromise {
  const by = nowMs + (t.prepMinutes + tripMinutes + t.asapMarginMinutes) * MINUTE;
  return { kind: 'asap', from: iso(nowMs), to: iso(Math.ceil(by / MINUTE) * MINUTE) };
}

/**
 * Slots a delivery can still be made in: those starting no earlier than the goods can arrive
 * (now + prep + trip), up to `horizonHours` ahead, in order.
 */
export function upcomingSlots(
  nowMs: number,
  tripMinutes: number,
  slotMinutes: number,
  horizonHours: number,
  t: DeliveryTimes,
): OrderPromise[] {
  const len = slotMinutes * MINUTE;
  const earliest = nowMs + (t.prepMinutes + tripMinutes) * MINUTE;
  const first = Math.ceil(earliest / len) * len;
  const out: OrderPromise[] = [];
  for (let start = first; start < nowMs + horizonHours * 60 * MINUTE; start += len)
    out.push({ kind: 'slot', from: iso(start), to: iso(start + len) });
  return out;
}

/** The slot an ASAP delivery uses up capacity in: the one it is promised by. */
export function asapSlotFrom(window: OrderPromise, slotMinutes: number): string {
  return iso(slotStartMs(Date.parse(window.to) - 1, slotMinutes));
}

export function pickupWindow(nowMs: number, readyMinutes: number): OrderPromise {
  return { kind: 'pickup', from: iso(nowMs), to: iso(nowMs + readyMinutes * MINUTE) };
}

/** Ship: dispatched by the end of the day (UTC) `days` from now. */
export function shipWindow(nowMs: number, days: number): OrderPromise {
  const d = new Date(nowMs);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days + 1) - 1000;
  return { kind: 'ship', from: iso(nowMs), to: iso(end) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
