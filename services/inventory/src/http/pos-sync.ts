import { type App, can, requirePrincipal, StoreId } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { auditedBy, storeScope } from './auth';
import { PosOpBody, PosSyncBody } from './schemas';
import type { Static } from 'typebox';
import type { TillDetails } from '../domain/types';

/** The member, prices and return reference of a till op, or nothing when the till sent none. */
function tillDetailsOf(op: Static<typeof PosOpBody>): { till?: TillDetails } {
  const priced = op.lines.some((l) => l.unitPrice !== undefined);
  if (!op.member && !priced && !op.returnOf) return {};
  return {
    till: {
      ...(op.member ? { member: op.member } : {}),
      ...(priced ? { pricedLines: op.lines } : {}),
      ...(op.returnOf ? { returnOf: op.returnOf } : {}),
    },
  };
}

const Params = Type.Object({ storeId: StoreId });
const sync = { permission: 'pos:sync' as const, scope: storeScope };

/** Store POS sync: staff (or the store's POS client) of that store only. */
export function registerPosSyncRoutes(app: App, inventory: InventoryApp): void {
  app.post(
    '/v1/stores/:storeId/sync',
    {
      config: sync,
      schema: {
        description:
          'Applies a batch of POS ops (sale, return, receipt, count) exactly once per clientOpId, in per-store seq order. ' +
          'A gap holds later ops until it is filled or force=true; the response carries the cursor (last applied seq), ' +
          'per-op results (applied, duplicate, held, rejected) and the gaps. A refused op (invalid-qty: 0 where it means nothing; ' +
          'unknown-sku: catalog never announced it; count-needs-manager) still takes its seq, so it leaves no gap. ' +
          'Counts need inventory:adjust at the store; counts and forced batches are audited. ' +
          'A sale or return may name the member (card or phone) and carry unit prices: stock ignores them, and an applied op ' +
          'with a member is published as StoreSaleRecorded so the member earns (or gives back) points; on other op types they are refused (till-details-only-on-sales).',
        params: Params,
        body: PosSyncBody,
      },
    },
    async (req) =>
      inventory.syncPos({
        storeId: req.params.storeId,
        ops: req.body.ops.map((op) => ({
          clientOpId: op.clientOpId,
          seq: op.seq,
          type: op.type,
          lines: op.lines,
          ...(op.occurredAt ? { occurredAt: op.occurredAt } : {}),
          ...tillDetailsOf(op),
        })),
        force: req.body.force === true,
        // Counts set stock to any level: only a caller who may adjust stock here (a manager).
        mayCount: can(requirePrincipal(req), 'inventory:adjust', { storeId: req.params.storeId }),
        ...auditedBy(req),
      }),
  );

  app.get(
    '/v1/stores/:storeId/sync',
    {
      config: sync,
      schema: {
        description: 'The sync cursor, held ops and skipped sequence numbers of a store.',
        params: Params,
      },
    },
    async (req) => inventory.getPosState(req.params.storeId),
  );
}
