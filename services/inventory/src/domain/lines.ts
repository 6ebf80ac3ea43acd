import type { Line } from './types';

/**
 * Normalised lines: one per SKU (quantities of repeated SKUs summed), sorted by SKU. Sorting makes
 * a retried request with the lines in another order the same request, and gives every multi-line
 * write one global order of level updates.
 */
export function normaliseLines(lines: readonly Line[]): Line[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.qty);
  return [...bySku]
    .map(([sku, qty]) => ({ sku, qty }))
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

export function sameLines(a: readonly Line[], b: readonly Line[]): boolean {
  const x = normaliseLines(a);
  const y = normaliseLines(b);
  return x.length === y.length && x.every((line, i) => line.sku === y[i]!.sku && line.qty === y[i]!.qty);
}

export function totalQty(lines: readonly Line[]): number {
  return lines.reduce((sum, l) => sum + l.qty, 0);
}

/** `from` minus `minus`, per SKU, dropping lines that reach zero; null if any would go negative. */
export function subtractLines(from: readonly Line[], minus: readonly Line[]): Line[] | null {
  const left = new Map(from.map((l) => [l.sku, l.qty]));
  for (const line of normaliseLines(minus)) {
    const have = left.get(line.sku) ?? 0;
    if (line.qty > have) return null;
    left.set(line.sku, have - line.qty);
  }
  return normaliseLines([...left].filter(([, qty]) => qty > 0).map(([sku, qty]) => ({ sku, qty })));
}
