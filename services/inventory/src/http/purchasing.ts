import { type App, authorize, requirePrincipal, type Permission } from '@omni/kit';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { unknownPurchaseOrder } from '../app/purchasing/purchase-orders';
import type { PurchaseOrderDoc } from '../domain/purchasing';
import { auditedBy, mayReadAny, requireOps, visibleLocations } from './auth';
import {
  CancelOrderBody,
  Id,
  LocationId,
  PageQuery,
  PlaceOrderBody,
  PurchaseOrderBody,
  PurchaseOrderStatus,
  SupplierBody,
  SupplierReturnBody,
  closed,
} from './schemas';
import { purchaseOrderView, supplierView } from './views';

const SupplierParams = Type.Object({ supplierId: Id });
const OrderParams = Type.Object({ purchaseOrderId: Id });

/**
 * Suppliers (ops define them; staff read them and their performance) and purchase orders: managers
 * of the receiving location (or ops) create, place and cancel them; goods-in matches deliveries
 * against them (`POST /v1/locations/{id}/receipts` with `purchaseOrderId`); managers send rejected or
 * faulty units back. An order at another location answers 404.
 */
export function registerPurchasingRoutes(app: App, inventory: InventoryApp): void {
  const visibleOrder = async (
    req: FastifyRequest,
    id: string,
    perm: Permission,
  ): Promise<PurchaseOrderDoc> => {
    const order = await inventory.getPurchaseOrder(id);
    if (!mayReadAny(requirePrincipal(req), [perm], [order.locationId])) throw unknownPurchaseOrder(id);
    return order;
  };

  app.put(
    '/v1/suppliers/:supplierId',
    {
      // Refused before the body is validated: a non-ops caller learns nothing about the schema.
      preValidation: async (req) => {
        requireOps(req);
      },
      schema: {
        description:
          'Creates or replaces a supplier (ops; audited). The SKUs it lists get it as their supplier (one per SKU: the last to list it).',
        security: [{ bearerAuth: [] }],
        params: SupplierParams,
        body: SupplierBody,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { supplier, created } = await inventory.putSupplier(
        req.params.supplierId,
        { name: b.name, leadTimeDays: b.leadTimeDays, skus: b.skus, ...(b.email ? { email: b.email } : {}) },
        auditedBy(req),
      );
      if (created) reply.code(201);
      return supplierView(supplier);
    },
  );

  app.get(
    '/v1/suppliers',
    {
      config: { permission: 'inventory:read' },
      schema: { querystring: Type.Object({ ...PageQuery }, closed) },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const page = await inventory.listSuppliers({ limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map(supplierView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/suppliers/:supplierId',
    { config: { permission: 'inventory:read' }, schema: { params: SupplierParams } },
    async (req) => supplierView(await inventory.getSupplier(req.params.supplierId)),
  );

  app.get(
    '/v1/suppliers/:supplierId/performance',
    {
      config: { permission: 'inventory:read' },
      schema: {
        description:
          'Fill rate (accepted of ordered units) and lateness (orders received by their expected date, late deliveries, average days late, overdue orders), computed from the purchase orders.',
        params: SupplierParams,
      },
    },
    async (req) => inventory.supplierPerformance(req.params.supplierId),
  );

  app.post(
    '/v1/purchase-orders',
    {
      config: { permission: 'inventory:transfer' },
      schema: {
        description:
          'A purchase order to a supplier for a location (managers of that location, ops): a draft, or placed with `place` (expected date = today + the lead time). Audited; idempotent by purchaseOrderId.',
        body: PurchaseOrderBody,
      },
    },
    async (req, reply) => {
      const b = req.body;
      authorize(requirePrincipal(req), 'inventory:transfer', { storeId: b.locationId });
      const who = auditedBy(req);
      const { order: draft, created } = await inventory.createPurchaseOrder({
        ...(b.purchaseOrderId ? { purchaseOrderId: b.purchaseOrderId } : {}),
        supplierId: b.supplierId,
        locationId: b.locationId,
        lines: b.lines,
        ...(b.note ? { note: b.note } : {}),
        ...who,
      });
      const order = b.place ? await inventory.placePurchaseOrder(draft._id, undefined, who) : draft;
      if (created) reply.code(201).header('location', `/v1/purchase-orders/${order._id}`);
      return purchaseOrderView(order);
    },
  );

  app.get(
    '/v1/purchase-orders',
    {
      config: { permission: 'inventory:read' },
      schema: {
        description: "Purchase orders, newest first: every location for ops, the caller's stores otherwise.",
        querystring: Type.Object(
          {
            locationId: Type.Optional(LocationId),
            supplierId: Type.Optional(Id),
            status: Type.Optional(PurchaseOrderStatus),
            ...PageQuery,
          },
          closed,
        ),
      },
    },
    async (req) => {
      const { locationId, supplierId, status, limit, cursor } = req.query;
      const p = requirePrincipal(req);
      if (locationId) authorize(p, 'inventory:read', { storeId: locationId });
      const locationIds = visibleLocations(p, 'inventory:read');
      const page = await inventory.listPurchaseOrders(
        {
          ...(locationIds ? { locationIds } : {}),
          ...(locationId ? { locationId } : {}),
          ...(supplierId ? { supplierId } : {}),
          ...(status ? { status: status as PurchaseOrderDoc['status'] } : {}),
        },
        { limit, ...(cursor ? { cursor } : {}) },
      );
      return { items: page.items.map(purchaseOrderView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/purchase-orders/:purchaseOrderId',
    { config: { permission: 'inventory:read' }, schema: { params: OrderParams } },
    async (req) => purchaseOrderView(await visibleOrder(req, req.params.purchaseOrderId, 'inventory:read')),
  );

  app.post(
    '/v1/purchase-orders/:purchaseOrderId/place',
    {
      config: { permission: 'inventory:transfer' },
      schema: {
        description: 'Sends a draft to the supplier; `expectedAt` defaults to now + the lead time (audited).',
        params: OrderParams,
        body: PlaceOrderBody,
      },
    },
    async (req) => {
      const order = await visibleOrder(req, req.params.purchaseOrderId, 'inventory:transfer');
      return purchaseOrderView(
        await inventory.placePurchaseOrder(order._id, req.body.expectedAt, auditedBy(req)),
      );
    },
  );

  app.post(
    '/v1/purchase-orders/:purchaseOrderId/cancel',
    {
      config: { permission: 'inventory:transfer' },
      schema: {
        description: 'Cancels an order nothing has arrived against (audited).',
        params: OrderParams,
        body: CancelOrderBody,
      },
    },
    async (req) => {
      const order = await visibleOrder(req, req.params.purchaseOrderId, 'inventory:transfer');
      return purchaseOrderView(
        await inventory.cancelPurchaseOrder(order._id, req.body.reason, auditedBy(req)),
      );
    },
  );

  app.post(
    '/v1/purchase-orders/:purchaseOrderId/returns',
    {
      config: { permission: 'inventory:adjust' },
      schema: {
        description:
          'Sends units back to the supplier, with the order as reference: `rejected` units (quarantined at QC, never stocked) or `stock` (accepted units taken back out of on-hand). At most what was rejected / accepted on the order. Audited; idempotent by returnId.',
        params: OrderParams,
        body: SupplierReturnBody,
      },
    },
    async (req, reply) => {
      const order = await visibleOrder(req, req.params.purchaseOrderId, 'inventory:adjust');
      const result = await inventory.returnToSupplier({
        returnId: req.body.returnId,
        purchaseOrderId: order._id,
        lines: req.body.lines.map((l) => ({ sku: l.sku, qty: l.qty, from: l.from })),
        ...(req.body.note ? { note: req.body.note } : {}),
        ...auditedBy(req),
      });
      return reply.code(201).send(result);
    },
  );
}
