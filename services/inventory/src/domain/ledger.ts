import { availableOf, levelId } from './levels';
import type { MovementDoc, StockLevelDoc } from './types';

/**
 * The ledger is the truth; levels are a cache of it. Folding every movement of a (sku, location)
 * gives its onHand and reserved; reconciliation compares that with the stored levels.
 */

export interface LedgerTotal {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  movements: number;
}

export function foldMovements(
  movements: Iterable<Pick<MovementDoc, 'sku' | 'locationId' | 'onHandDelta' | 'reservedDelta'>>,
): Map<string, LedgerTotal> {
  const totals = new Map<string, LedgerTotal>();
  for (const m of movements) {
    const id = levelId(m.sku, m.locationId);
    let t = totals.get(id);
    if (!t) {
      t = { sku: m.sku, locationId: m.locationId, onHand: 0, reserved: 0, movements: 0 };
      totals.set(id, t);
    }
    t.onHand += m.onHandDelta;
    t.reserved += m.reservedDelta;
    t.movements++;
  }
  return totals;
}

export interface LevelDifference {
  sku: string;
  locationId: string;
  field: 'onHand' | 'reserved' | 'available' | 'level-missing';
  /** From the ledger (for `available`: onHand − reserved − safetyStock of the level). */
  expected: number;
  actual: number;
}

export function compareWithLedger(
  levels: Iterable<StockLevelDoc>,
  totals: ReadonlyMap<string, LedgerTotal>,
): LevelDifference[] {
  const diffs: LevelDifference[] = [];
  const seen = new Set<string>();
  for (const level of levels) {
    const id = levelId(level.sku, level.locationId);
    seen.add(id);
    const t = totals.get(id) ?? { onHand: 0, reserved: 0 };
    const at = { sku: level.sku, locationId: level.locationId };
    if (level.onHand !== t.onHand)
      diffs.push({ ...at, field: 'onHand', expected: t.onHand, actual: level.onHand });
    if (level.reserved !== t.reserved)
      diffs.push({ ...at, field: 'reserved', expected: t.reserved, actual: level.reserved });
    const expectedAvailable = availableOf(level);
    if (level.available !== expectedAvailable) {
      diffs.push({ ...at, field: 'available', expected: expectedAvailable, actual: level.available });
    }
  }
  for (const [id, t] of totals) {
    if (seen.has(id) || (t.onHand === 0 && t.reserved === 0)) continue;
    diffs.push({
      sku: t.sku,
      locationId: t.locationId,
      field: 'level-missing',
      expected: t.onHand,
      actual: 0,
    });
  }
  return diffs;
}
