import { levelId } from '../domain/levels';
import { normaliseLines } from '../domain/lines';
import type { Actor, Line } from '../domain/types';
import { validateLines } from '../domain/validation';
import type { InventoryContext } from './context';
import { unknownLocation } from './errors';
import { assertKnownSkus } from './known-skus';
import { recordedResult, recordResult } from './operations';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

export interface CountCommand {
  countId: string;
  locationId: string;
  /** qty = counted units (0 allowed). */
  lines: Line[];
  actor: Actor;
  ip?: string;
  requestId?: string;
}

export interface CountResult {
  countId: string;
  locationId: string;
  lines: Array<{ sku: string; countedQty: number; previousOnHand: number; delta: number }>;
  [k: string]: unknown;
}

/** Cycle count: sets onHand to what was counted through an adjustment movement per differing SKU. Audited. */
export async function countStock(ctx: InventoryContext, cmd: CountCommand): Promise<CountResult> {
  validateLines(cmd.lines, 'lines', { allowZero: true });
  const lines = normaliseLines(cmd.lines);
  return inTransaction(ctx, async (tx) => {
    const rec = await recordedResult(tx, 'count', cmd.locationId, cmd.countId, lines);
    if (rec.previous) return rec.previous as CountResult;
    const location = await ctx.collections.locations.findById(cmd.locationId, { session: tx.session });
    if (!location) throw unknownLocation(cmd.locationId);
    await assertKnownSkus(
      tx,
      lines.map((l) => l.sku),
    );
    const out: CountResult = { countId: cmd.countId, locationId: cmd.locationId, lines: [] };
    for (const line of lines) {
      const level = await ctx.collections.levels.findById(levelId(line.sku, cmd.locationId), {
        session: tx.session,
      });
      const previousOnHand = level?.onHand ?? 0;
      const delta = line.qty - previousOnHand;
      if (delta !== 0) {
        await applyStockChange(tx, {
          sku: line.sku,
          locationId: cmd.locationId,
          reason: 'adjustment',
          onHandDelta: delta,
          opId: `count|${cmd.locationId}|${cmd.countId}|${line.sku}`,
          actor: cmd.actor,
          ref: { type: 'count', id: cmd.countId },
          note: 'cycle-count',
          createLevel: true,
        });
      }
      out.lines.push({ sku: line.sku, countedQty: line.qty, previousOnHand, delta });
    }
    await recordResult(tx, rec, 'count', cmd.locationId, out, cmd.actor);
    // A count may set stock to any level: who counted what is on the audit log.
    await ctx.audit(
      {
        actor: cmd.actor,
        action: 'stock.count',
        target: { type: 'location', id: cmd.locationId },
        ...(cmd.ip ? { ip: cmd.ip } : {}),
        ...(cmd.requestId ? { requestId: cmd.requestId } : {}),
        details: { countId: cmd.countId, lines: out.lines },
      },
      tx.session,
    );
    return out;
  });
}
