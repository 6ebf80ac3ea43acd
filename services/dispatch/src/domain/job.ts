import { randomInt } from 'node:crypto';

/**
 * A delivery job: one order's parcel, from the store that fulfils it to the customer's door.
 *
 *   awaiting_store ──confirm──▶ confirmed ──ready / lead time──▶ searching ◀──decline / timeout──┐
 *        │                                                          │                          │
 *        └──reject / timeout──▶ store_rejected                      └──offer──▶ offered ─────────┘
 *                                                                                   │ accept
 *   delivered ◀──deliver (proof)── picked_up / en_route ◀──scan at store── assigned ◀┘
 *                                         │ fail
 *                                         └──▶ returning ──store receives──▶ returned
 *
 * Any state before delivery can be voided (order re-routed or cancelled) → cancelled.
 */
export const JOB_STATUSES = [
  'awaiting_store',
  'confirmed',
  'searching',
  'offered',
  'assigned',
  'picked_up',
  'en_route',
  'delivered',
  'returning',
  'returned',
  'store_rejected',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL: readonly JobStatus[] = ['delivered', 'returned', 'store_rejected', 'cancelled'];
/** Where the rider holds the job (it counts towards capacity). */
export const WITH_RIDER: readonly JobStatus[] = ['assigned', 'picked_up', 'en_route', 'returning'];
/** Before a rider has it. */
export const BEFORE_RIDER: readonly JobStatus[] = ['awaiting_store', 'confirmed', 'searching', 'offered'];
/** A voided job can still be stopped in these states (after pickup the parcel has to come back). */
export const VOIDABLE: readonly JobStatus[] = [...BEFORE_RIDER, 'assigned', 'picked_up', 'en_route'];
/** The SLA clock runs until the parcel is delivered or the job ends. */
export const SLA_ACTIVE: readonly JobStatus[] = [...BEFORE_RIDER, 'assigned', 'picked_up', 'en_route'];

/** Customer's proof-of-delivery code: 4 digits, told to the rider at the door. */
export function newDeliveryCode(): string {
  return String(randomInt(0, 10_000)).padStart(4, '0');
}

/** Label code the store prints on the parcel and the rider scans at pickup. */
export function newParcelCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let s = '';
  for (let i = 0; i < 8; i++) s += alphabet[randomInt(0, alphabet.length)];
  return s;
}

/** Whole minutes late, rounded up (a delivery 10 s late is 1 minute late); 0 when on time. */
export function minutesLate(promisedAt: number, at: number): number {
  return at <= promisedAt ? 0 : Math.ceil((at - promisedAt) / 60_000);
}

/** Exponential backoff for re-searching a rider: base × 2^(attempt-1), capped. */
export function searchBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
