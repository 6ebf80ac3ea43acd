import { expireCustomerLots } from './points-ledger';
import type { CustomersContext } from './context';

export interface ExpiryRun {
  customers: number;
  points: number;
  failed: number;
}

/**
 * Expires every lot due at `now`, one transaction per customer (a failure for one customer does not
 * hold back the others; it is logged and retried at the next run). Called by the timer and by tests.
 */
export async function expireDuePoints(ctx: CustomersContext, now: Date, batchSize = 500): Promise<ExpiryRun> {
  const at = now.toISOString();
  const run: ExpiryRun = { customers: 0, points: 0, failed: 0 };
  const failedIds = new Set<string>();
  for (;;) {
    const due = await ctx.collections.lots.find(
      { remaining: { $gt: 0 }, expiresAt: { $lte: at }, ...(failedIds.size ? { customerId: { $nin: [...failedIds] } } : {}) },
      { limit: batchSize, sort: { expiresAt: 1 } },
    );
    const customerIds = [...new Set(due.map((lot) => lot.customerId))];
    if (customerIds.length === 0) return run;
    for (const customerId of customerIds) {
      try {
        const points = await ctx.store.withTransaction((session) => expireCustomerLots(ctx, session, customerId, at));
        run.customers += points > 0 ? 1 : 0;
        run.points += points;
      } catch (err) {
        failedIds.add(customerId);
        run.failed++;
        ctx.log.error({ err, customerId }, 'points expiry failed for a customer');
      }
    }
  }
}
