import { BadRequestError } from '@omni/kit';
import {
  foldStockReport,
  periodsBetween,
  type ReportPeriod,
  type StockReportRow,
} from '../../domain/reports';
import type { Channel } from '../../domain/types';
import type { InventoryContext } from '../context';
import { unknownLocation } from '../errors';

const MAX_PERIODS: Record<ReportPeriod, number> = { daily: 92, monthly: 24 };
const CHUNK = 500;

/**
 * A location's stock report for UTC days or months `from`..`to` (inclusive; default the last 7 days
 * or 3 months), folded from its ledger at read time. The movements before the range give the
 * opening on-hand; committed reservations give the channel of each sale.
 */
export async function stockReport(
  ctx: InventoryContext,
  locationId: string,
  period: ReportPeriod,
  range: { from?: string; to?: string },
): Promise<StockReportRow[]> {
  const { locations, movements, reservations } = ctx.collections;
  if (!(await locations.findById(locationId))) throw unknownLocation(locationId);
  for (const [field, value] of Object.entries(range))
    if (value !== undefined && Number.isNaN(Date.parse(period === 'daily' ? value : `${value}-01`)))
      throw new BadRequestError(`${field} is not a date`, [
        { field: `querystring/${field}`, message: 'not a calendar date' },
      ]);
  const today = ctx.clock().toISOString();
  const to = range.to ?? today.slice(0, period === 'daily' ? 10 : 7);
  let from = range.from;
  if (!from) {
    const d = new Date(`${period === 'daily' ? to : `${to}-01`}T00:00:00.000Z`);
    if (period === 'daily') d.setUTCDate(d.getUTCDate() - 6);
    else d.setUTCMonth(d.getUTCMonth() - 2);
    from = d.toISOString().slice(0, period === 'daily' ? 10 : 7);
  }
  if (from > to)
    throw new BadRequestError('from is after to', [
      { field: 'querystring/from', message: 'must not be after to' },
    ]);
  const periods = periodsBetween(from, to, period);
  if (periods.length > MAX_PERIODS[period])
    throw new BadRequestError(`at most ${MAX_PERIODS[period]} ${period} periods per report`, [
      { field: 'querystring/from', message: `the range spans ${periods.length} periods` },
    ]);
  const end = new Date(`${period === 'daily' ? to : `${to}-01`}T00:00:00.000Z`);
  if (period === 'daily') end.setUTCDate(end.getUTCDate() + 1);
  else end.setUTCMonth(end.getUTCMonth() + 1);
  const ledger = await movements.find(
    { locationId, at: { $lt: end.toISOString() } },
    { projection: { at: 1, reason: 1, onHandDelta: 1, qty: 1, ref: 1 } },
  );
  const commits = [
    ...new Set(
      ledger
        .filter((m) => m.reason === 'reservation-commit' && m.ref?.type === 'reservation' && m.at >= from)
        .map((m) => m.ref!.id),
    ),
  ];
  const channels = new Map<string, Channel>();
  for (let i = 0; i < commits.length; i += CHUNK) {
    const found = await reservations.find(
      { _id: { $in: commits.slice(i, i + CHUNK) } },
      { projection: { _id: 1, channel: 1 } },
    );
    for (const r of found) channels.set(r._id, r.channel);
  }
  return foldStockReport(locationId, periods, period, ledger, (id) => channels.get(id));
}
