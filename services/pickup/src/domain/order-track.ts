/**
 * What pickup remembers about an order's routing, so events that arrive twice or out of order are
 * harmless: a cancellation is a tombstone (a late `confirmed` makes no live task), a re-route voids its
 * old location up to its attempt, and a `confirmed` older than one already seen is stale.
 *
 * Orders numbers attempts: 0 on first confirmation, +1 per re-route. Whether a re-route event carries
 * the old or the new attempt, voiding "attempts ≤ R at the old location" is right for both readings,
 * and a store visited twice (A → B → A) gets its second task because its attempt is higher.
 */
export interface OrderTrack {
  _id: string;
  /** Highest route attempt seen in any confirmed or re-routed event. */
  maxAttempt: number;
  /** Per location left by a re-route: attempts up to `upTo` there are void. */
  voided: Array<{ locationId: string; upTo: number }>;
  cancelled?: { at: string; reason: string };
  [k: string]: unknown;
}

export type ConfirmedDecision =
  | { kind: 'create' }
  | { kind: 'ignore'; reason: 'order-cancelled' | 'stale-attempt' | 'location-voided' | 'duplicate' };

export function decideConfirmed(
  track: OrderTrack | null,
  event: { locationId: string; routeAttempt: number },
  existingAttempts: readonly number[],
): ConfirmedDecision {
  if (existingAttempts.includes(event.routeAttempt)) return { kind: 'ignore', reason: 'duplicate' };
  if (track?.cancelled) return { kind: 'ignore', reason: 'order-cancelled' };
  if (track && event.routeAttempt < track.maxAttempt) return { kind: 'ignore', reason: 'stale-attempt' };
  if (existingAttempts.some((a) => a > event.routeAttempt))
    return { kind: 'ignore', reason: 'stale-attempt' };
  const voided = track?.voided.find((v) => v.locationId === event.locationId);
  if (voided && event.routeAttempt <= voided.upTo) return { kind: 'ignore', reason: 'location-voided' };
  return { kind: 'create' };
}

/** The track after a re-route away from `fromLocationId` at attempt `routeAttempt`. */
export function applyReroute(
  track: OrderTrack | null,
  orderId: string,
  fromLocationId: string,
  routeAttempt: number,
): OrderTrack {
  const base: OrderTrack = track ?? { _id: orderId, maxAttempt: 0, voided: [] };
  const others = base.voided.filter((v) => v.locationId !== fromLocationId);
  const prev = base.voided.find((v) => v.locationId === fromLocationId)?.upTo ?? -1;
  return {
    ...base,
    maxAttempt: Math.max(base.maxAttempt, routeAttempt),
    voided: [...others, { locationId: fromLocationId, upTo: Math.max(prev, routeAttempt) }],
  };
}
