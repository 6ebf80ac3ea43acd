import type { Channel, MovementDoc } from './types';

/**
 * Stock figures per location and period, folded from the movement ledger (the truth the levels are
 * a cache of), never from counters kept beside it: the same ledger always gives the same report.
 */
export type ReportPeriod = 'daily' | 'monthly';

export interface StockReportRow {
  locationId: string;
  /** `YYYY-MM-DD` (daily) or `YYYY-MM` (monthly), UTC. */
  period: string;
  /** Units sold to remote orders (online and phone channels), at commit. */
  salesOnlineUnits: number;
  /** Units sold over the counter: store-channel orders at commit, plus POS sales (offline ones too). */
  salesOfflineUnits: number;
  /** Customer returns booked back into stock. */
  returnsUnits: number;
  /** Damage write-offs and negative corrections (adjustments and counts). */
  writeOffUnits: number;
  /** Rejected at goods-in QC. */
  qcRejectedUnits: number;
  receivedUnits: number;
  transferInUnits: number;
  transferOutUnits: number;
  supplierReturnUnits: number;
  onHandStart: number;
  onHandEnd: number;
  /** Units sold / average on hand ((start + end) / 2); null when nothing was on hand. */
  stockTurns: number | null;
}

export const REPORT_COLUMNS: ReadonlyArray<keyof StockReportRow> = [
  'locationId',
  'period',
  'salesOnlineUnits',
  'salesOfflineUnits',
  'returnsUnits',
  'writeOffUnits',
  'qcRejectedUnits',
  'receivedUnits',
  'transferInUnits',
  'transferOutUnits',
  'supplierReturnUnits',
  'onHandStart',
  'onHandEnd',
  'stockTurns',
];

export const periodKey = (iso: string, period: ReportPeriod) => iso.slice(0, period === 'daily' ? 10 : 7);

/** Every period key from `from` to `to` inclusive (UTC days or months). */
export function periodsBetween(from: string, to: string, period: ReportPeriod): string[] {
  const out: string[] = [];
  if (period === 'daily') {
    for (
      let d = new Date(`${from}T00:00:00.000Z`);
      d.toISOString().slice(0, 10) <= to;
      d.setUTCDate(d.getUTCDate() + 1)
    )
      out.push(d.toISOString().slice(0, 10));
  } else {
    for (
      let d = new Date(`${from}-01T00:00:00.000Z`);
      d.toISOString().slice(0, 7) <= to;
      d.setUTCMonth(d.getUTCMonth() + 1)
    )
      out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

/**
 * Folds a location's movements (in ledger order, from the beginning up to the end of the last
 * period) into one row per period. `channelOf` names the channel of a committed reservation.
 */
export function foldStockReport(
  locationId: string,
  periods: readonly string[],
  period: ReportPeriod,
  movements: Iterable<Pick<MovementDoc, 'at' | 'reason' | 'onHandDelta' | 'qty' | 'ref'>>,
  channelOf: (reservationId: string) => Channel | undefined,
): StockReportRow[] {
  const rows = new Map<string, StockReportRow>(
    periods.map((p) => [
      p,
      {
        locationId,
        period: p,
        salesOnlineUnits: 0,
        salesOfflineUnits: 0,
        returnsUnits: 0,
        writeOffUnits: 0,
        qcRejectedUnits: 0,
        receivedUnits: 0,
        transferInUnits: 0,
        transferOutUnits: 0,
        supplierReturnUnits: 0,
        onHandStart: 0,
        onHandEnd: 0,
        stockTurns: null,
      },
    ]),
  );
  const first = periods[0]!;
  // On hand before the first period, then per period its movements.
  let onHand = 0;
  const deltaIn = new Map<string, number>();
  for (const m of movements) {
    const key = periodKey(m.at, period);
    if (key < first) {
      onHand += m.onHandDelta;
      continue;
    }
    const row = rows.get(key);
    if (!row) continue;
    deltaIn.set(key, (deltaIn.get(key) ?? 0) + m.onHandDelta);
    switch (m.reason) {
      case 'reservation-commit': {
        const channel = m.ref ? channelOf(m.ref.id) : undefined;
        if (channel === 'store') row.salesOfflineUnits += m.qty;
        else row.salesOnlineUnits += m.qty;
        break;
      }
      case 'pos-sale':
        row.salesOfflineUnits += m.qty;
        break;
      case 'return':
        row.returnsUnits += m.qty;
        break;
      case 'damage':
        row.writeOffUnits += m.qty;
        break;
      case 'adjustment':
        if (m.onHandDelta < 0) row.writeOffUnits += -m.onHandDelta;
        break;
      case 'qc-fail':
        row.qcRejectedUnits += m.qty;
        break;
      case 'receipt':
        row.receivedUnits += m.qty;
        break;
      case 'transfer-in':
        row.transferInUnits += m.qty;
        break;
      case 'transfer-out':
        row.transferOutUnits += m.qty;
        break;
      case 'supplier-return':
        row.supplierReturnUnits += m.qty;
        break;
      default:
        break;
    }
  }
  for (const p of periods) {
    const row = rows.get(p)!;
    row.onHandStart = onHand;
    onHand += deltaIn.get(p) ?? 0;
    row.onHandEnd = onHand;
    const average = (row.onHandStart + row.onHandEnd) / 2;
    const sold = row.salesOnlineUnits + row.salesOfflineUnits;
    row.stockTurns = average > 0 ? Math.round((sold / average) * 1000) / 1000 : null;
  }
  return periods.map((p) => rows.get(p)!);
}

/** RFC 4180 CSV with a header line. */
export function reportCsv(rows: readonly StockReportRow[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [REPORT_COLUMNS.join(','), ...rows.map((r) => REPORT_COLUMNS.map((c) => cell(r[c])).join(','))].join(
      '\r\n',
    ) + '\r\n'
  );
}
