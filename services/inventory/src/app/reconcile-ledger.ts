import { compareWithLedger, foldMovements, type LevelDifference } from '../domain/ledger';
import type { InventoryContext } from './context';

export interface ReconcileReport {
  ok: boolean;
  levels: number;
  movements: number;
  differences: LevelDifference[];
  checkedAt: string;
}

/**
 * Replays the whole ledger and compares it with the stored levels (onHand, reserved, and available
 * = onHand − reserved − safetyStock). Reads levels and movements in one transaction, so concurrent
 * changes cannot show up as false differences. Reports; never repairs silently.
 */
export async function reconcileLedger(ctx: InventoryContext): Promise<ReconcileReport> {
  return ctx.store.withTransaction(async (session) => {
    const [levels, movements] = await Promise.all([
      ctx.collections.levels.find({}, { session }),
      ctx.collections.movements.find(
        {},
        { session, projection: { sku: 1, locationId: 1, onHandDelta: 1, reservedDelta: 1 } },
      ),
    ]);
    const differences = compareWithLedger(levels, foldMovements(movements));
    return {
      ok: differences.length === 0,
      levels: levels.length,
      movements: movements.length,
      differences,
      checkedAt: ctx.clock().toISOString(),
    };
  });
}
