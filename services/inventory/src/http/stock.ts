import { actorOf, type App, authorize, requirePrincipal } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { levelView } from '../app/queries/stock-query';
import { MOVEMENT_REASONS } from '../domain/types';
import { auditedBy, locationScope, visibleLocations } from './auth';
import {
  AdjustmentBody,
  CountBody,
  Id,
  LocationId,
  InboundReceiptBody,
  PageQuery,
  Sku,
  StockSettingsBody,
  closed,
} from './schemas';

const Params = Type.Object({ locationId: LocationId });
const SkuParams = Type.Object({ locationId: LocationId, sku: Sku });
const Reason = Type.Union(MOVEMENT_REASONS.map((r) => Type.Literal(r)));
const readHere = { permission: 'inventory:read' as const, scope: locationScope };
const staffHere = { permission: 'pos:sync' as const, scope: locationScope };
const adjustHere = { permission: 'inventory:adjust' as const, scope: locationScope };

/**
 * Stock per location and the operations that change it outside reservations: goods-in (store staff
 * of that store), cycle counts, adjustments and settings (managers, ops), the ledger.
 */
export function registerStockRoutes(app: App, inventory: InventoryApp): void {
  app.get(
    '/v1/locations/:locationId/stock',
    {
      config: readHere,
      schema: { params: Params, querystring: Type.Object({ sku: Type.Optional(Sku), ...PageQuery }, closed) },
    },
    async (req) => {
      const { sku, limit, cursor } = req.query;
      return inventory.listLevels(
        { locationId: req.params.locationId, ...(sku ? { sku } : {}) },
        { limit, ...(cursor ? { cursor } : {}) },
      );
    },
  );

  app.get(
    '/v1/locations/:locationId/stock/:sku',
    { config: readHere, schema: { params: SkuParams } },
    async (req) => inventory.getLevel(req.params.sku, req.params.locationId),
  );

  app.get(
    '/v1/stock',
    {
      config: { permission: 'inventory:read' },
      schema: {
        description:
          "Levels of one SKU across locations: every location for ops, the caller's own stores for store staff and store-bound clients.",
        querystring: Type.Object({ sku: Sku, ...PageQuery }, closed),
      },
    },
    async (req) => {
      const { sku, limit, cursor } = req.query;
      const locationIds = visibleLocations(requirePrincipal(req), 'inventory:read');
      return inventory.listLevels(
        { sku, ...(locationIds ? { locationIds } : {}) },
        { limit, ...(cursor ? { cursor } : {}) },
      );
    },
  );

  app.put(
    '/v1/locations/:locationId/stock/:sku/settings',
    {
      config: adjustHere,
      schema: {
        description: 'Safety stock and reorder point (audited).',
        params: SkuParams,
        body: StockSettingsBody,
      },
    },
    async (req) =>
      levelView(
        await inventory.setStockSettings({
          locationId: req.params.locationId,
          sku: req.params.sku,
          ...(req.body.safetyStock !== undefined ? { safetyStock: req.body.safetyStock } : {}),
          ...(req.body.reorderPoint !== undefined ? { reorderPoint: req.body.reorderPoint } : {}),
          ...auditedBy(req),
        }),
      ),
  );

  app.post(
    '/v1/locations/:locationId/adjustments',
    {
      config: adjustHere,
      schema: {
        description: 'Manager correction or damage write-off (audited, idempotent by adjustmentId).',
        params: Params,
        body: AdjustmentBody,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await inventory.adjust({
        adjustmentId: b.adjustmentId,
        locationId: req.params.locationId,
        sku: b.sku,
        delta: b.delta,
        reason: b.reason,
        ...(b.note ? { note: b.note } : {}),
        ...auditedBy(req),
      });
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/v1/locations/:locationId/counts',
    {
      // A count can set on-hand to anything: managers (inventory:adjust) only, and audited.
      config: adjustHere,
      schema: {
        description:
          'Cycle count: sets on-hand to the counted quantities (managers and ops; audited; idempotent by countId).',
        params: Params,
        body: CountBody,
      },
    },
    async (req, reply) => {
      const result = await inventory.count({
        countId: req.body.countId,
        locationId: req.params.locationId,
        lines: req.body.lines.map((l) => ({ sku: l.sku, qty: l.countedQty })),
        ...auditedBy(req),
      });
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/v1/locations/:locationId/receipts',
    {
      config: staffHere,
      schema: {
        description:
          'Goods in after QC: accepted units are stocked, rejected ones recorded as qc-fail (idempotent by receiptId). With `purchaseOrderId` the delivery is matched against the order: `match` flags each line ok / over / wrong-item and lists what is still outstanding (under).',
        params: Params,
        body: InboundReceiptBody,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await inventory.receiveInbound({
        receiptId: b.receiptId,
        locationId: req.params.locationId,
        lines: b.lines.map((l) => ({
          sku: l.sku,
          acceptedQty: l.acceptedQty,
          rejectedQty: l.rejectedQty ?? 0,
          ...(l.rejectReason ? { rejectReason: l.rejectReason } : {}),
        })),
        ...(b.supplierRef ? { supplierRef: b.supplierRef } : {}),
        ...(b.purchaseOrderId ? { purchaseOrderId: b.purchaseOrderId } : {}),
        actor: actorOf(req),
      });
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/movements',
    {
      config: { permission: 'inventory:read' },
      schema: {
        description:
          "The movement ledger, newest first: every location for ops, the caller's own stores for store staff and store-bound clients.",
        querystring: Type.Object(
          {
            locationId: Type.Optional(Id),
            sku: Type.Optional(Sku),
            reason: Type.Optional(Reason),
            ...PageQuery,
          },
          closed,
        ),
      },
    },
    async (req) => {
      const { locationId, sku, reason, limit, cursor } = req.query;
      const p = requirePrincipal(req);
      if (locationId) authorize(p, 'inventory:read', { storeId: locationId });
      const locationIds = visibleLocations(p, 'inventory:read');
      return inventory.listMovements(
        {
          ...(locationId ? { locationId } : {}),
          ...(locationIds ? { locationIds } : {}),
          ...(sku ? { sku } : {}),
          ...(reason ? { reason } : {}),
        },
        { limit, ...(cursor ? { cursor } : {}) },
      );
    },
  );
}
