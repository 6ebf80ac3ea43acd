import { createHash } from 'node:crypto';

/**
 * Order ids are derived from who placed the order and their Idempotency-Key, so a retried placement
 * — even one whose first attempt crashed half-way — lands on the same order (the insert collides on
 * `_id`), whatever the kit's idempotency cache remembers.
 */
export function orderIdFor(placedBySub: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${placedBySub}\u0000${idempotencyKey}`).digest('hex');
  return `ord_${digest.slice(0, 26)}`;
}

/** One reservation per route attempt, so a retry of the same attempt is idempotent at inventory. */
export function reservationIdFor(orderId: string, routeAttempt: number): string {
  return `${orderId}-r${routeAttempt}`;
}

export function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('base64url');
}
