import type { App } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { reportCsv, type ReportPeriod } from '../domain/reports';
import { locationScope } from './auth';
import { LocationId, closed } from './schemas';

const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10 });
const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', maxLength: 7 });
const Format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')]));

/**
 * Stock reports of a store or warehouse, per UTC day or month, as JSON or CSV (`format=csv`):
 * sales online and offline, returns, write-offs, QC rejects, receipts, transfers, supplier returns,
 * opening/closing on hand and stock turns — folded from the ledger at read time.
 */
export function registerReportRoutes(app: App, inventory: InventoryApp): void {
  const route = (period: ReportPeriod, Bound: typeof Day | typeof Month) =>
    app.get(
      `/v1/locations/:locationId/reports/${period}`,
      {
        config: { permission: 'inventory:read', scope: locationScope },
        schema: {
          description: `Stock figures per ${period === 'daily' ? 'UTC day (at most 92)' : 'UTC month (at most 24)'} from the movement ledger; \`format=csv\` for CSV. Units, not money.`,
          params: Type.Object({ locationId: LocationId }),
          querystring: Type.Object(
            { from: Type.Optional(Bound), to: Type.Optional(Bound), format: Format },
            closed,
          ),
        },
      },
      async (req, reply) => {
        const { from, to, format } = req.query;
        const rows = await inventory.stockReport(req.params.locationId, period, {
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
        });
        if (format === 'csv')
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${req.params.locationId}-${period}.csv"`)
            .send(reportCsv(rows));
        return { locationId: req.params.locationId, period, items: rows };
      },
    );
  route('daily', Day);
  route('monthly', Month);
}
