import { ConflictError, UnprocessableError } from '@omni/kit';
import { normaliseLines, sameLines, subtractLines } from './lines';
import type { Line, ReservationDoc } from './types';

/**
 * Reservation lifecycle: active → committed | released | expired (all terminal). Partial releases
 * keep it active with fewer lines; releasing the last line releases it.
 */

/** A reserve retry with the same id: the same request returns the reservation, another one is a conflict. */
export function assertSameReserveRequest(
  existing: ReservationDoc,
  locationId: string,
  lines: readonly Line[],
): void {
  if (existing.locationId !== locationId || !sameLines(existing.requested, lines)) {
    throw new ConflictError(
      'reservation-id-conflict',
      `reservation ${existing._id} already exists with other lines or location`,
      { reservationId: existing._id },
    );
  }
}

export type ReleasePlan =
  { kind: 'noop' } | { kind: 'release'; released: Line[]; remaining: Line[]; partial: boolean };

/**
 * What a release does to a reservation. Idempotent by operation id; releasing everything of a
 * reservation that is already released or expired changes nothing; a committed one cannot be released.
 */
export function planRelease(
  res: ReservationDoc,
  lines: readonly Line[] | undefined,
  operationId: string,
): ReleasePlan {
  if (res.releaseOps.includes(operationId)) return { kind: 'noop' };
  if (res.status === 'committed') {
    throw new ConflictError(
      'reservation-committed',
      `reservation ${res._id} is committed and cannot be released`,
    );
  }
  const full = !lines || lines.length === 0;
  if (res.status !== 'active') {
    if (full) return { kind: 'noop' };
    throw new ConflictError('reservation-not-active', `reservation ${res._id} is ${res.status}`);
  }
  if (full) return { kind: 'release', released: res.lines, remaining: [], partial: false };
  const remaining = subtractLines(res.lines, lines);
  if (!remaining) {
    throw new UnprocessableError('release-exceeds-reserved', 'a line releases more than is still reserved', {
      reserved: res.lines,
    });
  }
  return { kind: 'release', released: normaliseLines(lines), remaining, partial: remaining.length > 0 };
}

/** Commit of a non-active reservation: a retry of a commit is fine, anything else is a conflict. */
export function assertCommittable(res: ReservationDoc, now: Date): 'commit' | 'already-committed' {
  if (res.status === 'committed') return 'already-committed';
  if (res.status !== 'active') {
    throw new ConflictError('reservation-not-active', `reservation ${res._id} is ${res.status}`, {
      status: res.status,
    });
  }
  if (res.expiresAt <= now.toISOString()) {
    throw new ConflictError('reservation-expired', `reservation ${res._id} expired at ${res.expiresAt}`);
  }
  return 'commit';
}

export interface AtRiskCandidate {
  reservationId: string;
  /** Units of the short SKU this reservation holds. */
  qty: number;
}

/**
 * Which reservations a shortfall of one SKU hits: newest first (the most recent promise is the
 * one to re-route), each for the part of its quantity needed, until the shortfall is covered.
 */
export function coverShortfall(
  shortfall: number,
  newestFirst: readonly AtRiskCandidate[],
): AtRiskCandidate[] {
  const hit: AtRiskCandidate[] = [];
  let left = shortfall;
  for (const c of newestFirst) {
    if (left <= 0) break;
    if (c.qty <= 0) continue;
    const qty = Math.min(c.qty, left);
    hit.push({ reservationId: c.reservationId, qty });
    left -= qty;
  }
  return hit;
}
