import type { Actor } from '../domain/types';
import type { Tx } from './context';
import { recordedResult, recordResult } from './operations';
import { applyStockChange } from './stock-ledger';

export interface ReturnReceipt {
  returnId: string;
  orderId: string;
  locationId: string;
  lines: Array<{ sku: string; qty: number; disposition?: 'restock' | 'write_off' }>;
  actor: Actor;
}

/**
 * Goods a customer brought back (or a failed delivery brought back to the store), as orders
 * announces them: `restock` lines are a `return` movement (on hand up, sellable again); `write_off`
 * lines are recorded as `qc-fail` (received, not sellable, no stock added). Idempotent by return id
 * and location; an unknown location is recorded as nothing to do (the event is a fact, not a request).
 */
export async function receiveReturn(
  tx: Tx,
  cmd: ReturnReceipt,
): Promise<{ restocked: number; writtenOff: number; skipped?: string }> {
  const location = await tx.ctx.collections.locations.findById(cmd.locationId, { session: tx.session });
  if (!location) return { restocked: 0, writtenOff: 0, skipped: `unknown location ${cmd.locationId}` };
  const rec = await recordedResult(tx, 'return', cmd.locationId, cmd.returnId, cmd.lines);
  if (rec.previous) return rec.previous as { restocked: number; writtenOff: number };
  const ref = { type: 'return', id: cmd.returnId };
  let restocked = 0;
  let writtenOff = 0;
  for (const [i, line] of cmd.lines.entries()) {
    if (line.qty <= 0) continue;
    const base = { sku: line.sku, locationId: cmd.locationId, actor: cmd.actor, ref, createLevel: true };
    if ((line.disposition ?? 'restock') === 'restock') {
      await applyStockChange(tx, {
        ...base,
        reason: 'return',
        onHandDelta: line.qty,
        opId: `ret|${cmd.locationId}|${cmd.returnId}|${i}`,
        note: `order ${cmd.orderId}`,
      });
      restocked += line.qty;
    } else {
      await applyStockChange(tx, {
        ...base,
        reason: 'qc-fail',
        qty: line.qty,
        opId: `ret|${cmd.locationId}|${cmd.returnId}|${i}|write-off`,
        note: `returned by order ${cmd.orderId}, written off`,
      });
      writtenOff += line.qty;
    }
  }
  const result = { restocked, writtenOff };
  await recordResult(tx, rec, 'return', cmd.locationId, result, cmd.actor);
  return result;
}
