import type { Session } from '@omni/store';
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

/**
 * The same follow-ups inside a transaction someone else owns: an event handler runs in the kit's
 * consumer transaction (the inbox row and the effect commit together).
 */
export async function inSession<R>(
  ctx: InventoryContext,
  session: Session,
  fn: (tx: Tx) => Promise<R>,
): Promise<R> {
  const tx = new Tx(ctx, session, ctx.clock());
  const r = await fn(tx);
  await flagReservationsAtRisk(tx);
  await alertLowStock(tx);
  const touchedSkus = [...new Set([...tx.touched.values()].map((l) => l.sku))];
  // The publisher reads the levels later (debounced), after this transaction has committed.
  if (touchedSkus.length > 0) ctx.onAvailabilityTouched(touchedSkus);
  return r;
}
