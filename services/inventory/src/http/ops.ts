import type { App } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { requireOps } from './auth';
import { PageQuery, closed } from './schemas';

/** Operator tools over the whole ledger. */
export function registerOpsRoutes(app: App, inventory: InventoryApp): void {
  app.post(
    '/v1/ops/reconcile',
    {
      schema: {
        description:
          'Replays the movement ledger and compares it with every stock level; `differences` must be empty.',
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      requireOps(req);
      return inventory.reconcile();
    },
  );

  app.get(
    '/v1/ops/stock-exceptions',
    {
      schema: {
        description:
          'Levels left negative or with reserved above on hand by late store sales (explained by their movements).',
        security: [{ bearerAuth: [] }],
        querystring: Type.Object({ ...PageQuery }, closed),
      },
    },
    async (req) => {
      requireOps(req);
      const { limit, cursor } = req.query;
      return inventory.listStockExceptions({ limit, ...(cursor ? { cursor } : {}) });
    },
  );
}
