export interface ReplenishmentSource {
  locationId: string;
  available: number;
  reorderPoint: number;
}

export interface ReplenishmentSuggestion {
  suggestedQty: number;
  suggestedSourceLocationId?: string;
}

/**
 * When a level falls to its reorder point: bring it back to twice the reorder point (at least one
 * above it), from the active location with the largest surplus over its own reorder point.
 */
export function suggestReplenishment(
  level: { locationId: string; available: number; reorderPoint: number },
  others: readonly ReplenishmentSource[],
): ReplenishmentSuggestion {
  const target = Math.max(2 * level.reorderPoint, level.reorderPoint + 1);
  const suggestedQty = Math.max(1, target - level.available);
  let best: ReplenishmentSource | undefined;
  let bestSurplus = 0;
  // Sorted by id so that equal surpluses pick the same source every time.
  for (const o of [...others].sort((a, b) => (a.locationId < b.locationId ? -1 : 1))) {
    if (o.locationId === level.locationId) continue;
    const surplus = o.available - o.reorderPoint;
    if (surplus > bestSurplus) {
      best = o;
      bestSurplus = surplus;
    }
  }
  return best ? { suggestedQty, suggestedSourceLocationId: best.locationId } : { suggestedQty };
}
