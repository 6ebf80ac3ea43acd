import { alertLowStock } from './alert-low-stock';
import { Tx, type InventoryContext } from './context';
import { flagReservationsAtRisk } from './flag-reservations-at-risk';

/**
 * Runs a use case in one store transaction together with the follow-ups every stock change needs
 * (reservations at risk, low-stock alerts), then tells the availability publisher which SKUs
 * changed. `fn` may run more than once (transient conflicts), so it writes only through `tx.session`.
 */
export async function inTransaction<R>(ctx: InventoryContext, fn: (tx: Tx) => Promise<R>): Promise<R> {
  let touchedSkus: string[] = [];
  const result = await ctx.store.withTransaction(async (session) => {
    const tx = new Tx(ctx, session, ctx.clock());
    const r = await fn(tx);
    await flagReservationsAtRisk(tx);
    await alertLowStock(tx);
    touchedSkus = [...new Set([...tx.touched.values()].map((l) => l.sku))];
    return r;
  });
  if (touchedSkus.length > 0) ctx.onAvailabilityTouched(touchedSkus);
  return result;
}
