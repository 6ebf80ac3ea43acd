/**
 * Cash on delivery, reconciled per shift: what the rider should hand in (the amount due of every
 * COD order they delivered in the shift) against what they marked as collected.
 */

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface CashLine {
  jobId: string;
  orderId: string;
  /** Amount due on delivery (null for prepaid orders). */
  expected: Money | null;
  collected: Money | null;
}

export interface CurrencyTotal {
  currency: string;
  expectedMinor: number;
  collectedMinor: number;
  /** collected − expected: negative means cash is missing. */
  differenceMinor: number;
}

export interface CashReport {
  totals: CurrencyTotal[];
  /** Deliveries whose collected amount differs from the amount due. */
  discrepancies: Array<CashLine & { differenceMinor: number }>;
  balanced: boolean;
}

export function reconcileCash(lines: CashLine[]): CashReport {
  const totals = new Map<string, CurrencyTotal>();
  const total = (currency: string): CurrencyTotal => {
    let t = totals.get(currency);
    if (!t) totals.set(currency, (t = { currency, expectedMinor: 0, collectedMinor: 0, differenceMinor: 0 }));
    return t;
  };
  const discrepancies: CashReport['discrepancies'] = [];
  for (const line of lines) {
    if (line.expected) total(line.expected.currency).expectedMinor += line.expected.amountMinor;
    if (line.collected) total(line.collected.currency).collectedMinor += line.collected.amountMinor;
    const sameCurrency =
      !line.expected || !line.collected || line.expected.currency === line.collected.currency;
    const differenceMinor = (line.collected?.amountMinor ?? 0) - (line.expected?.amountMinor ?? 0);
    if (differenceMinor !== 0 || !sameCurrency) discrepancies.push({ ...line, differenceMinor });
  }
  const list = [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
  for (const t of list) t.differenceMinor = t.collectedMinor - t.expectedMinor;
  return { totals: list, discrepancies, balanced: discrepancies.length === 0 };
}
