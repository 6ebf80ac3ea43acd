import { createHash } from 'node:crypto';

/** At most `qty` units of a SKU per customer per calendar period (UTC), across channels (catalog's). */
export interface PurchaseLimit {
  qty: number;
  period: 'day' | 'week';
}

/** An order line under a limit. */
export interface LimitedLine {
  sku: string;
  qty: number;
  limit: PurchaseLimit;
}

export const LIMIT_PERIODS: ReadonlyArray<PurchaseLimit['period']> = ['day', 'week'];

export function isLimitPeriod(s: string): s is PurchaseLimit['period'] {
  return (LIMIT_PERIODS as readonly string[]).includes(s);
}

/** The calendar period an instant falls in: `day:2026-12-03`, `week:2026-11-30` (weeks start on Monday, UTC). */
export function periodKey(period: PurchaseLimit['period'], iso: string): string {
  const d = new Date(iso);
  if (period === 'day') return `day:${d.toISOString().slice(0, 10)}`;
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  return `week:${monday.toISOString().slice(0, 10)}`;
}

/** One counter per customer, SKU and period. */
export function counterId(customerId: string, sku: string, period: string): string {
  return `${customerId}|${sku}|${period}`;
}

/**
 * Field name of one claim on a counter (an order or a till sale): a hash, because order and sale ids
 * may hold '.', which a document path would read as nesting.
 */
export function claimField(claimId: string): string {
  return `claims.${createHash('sha256').update(claimId).digest('base64url').slice(0, 22)}`;
}
