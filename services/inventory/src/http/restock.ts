import { type App, authorize, requirePrincipal } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { unknownSuggestion } from '../app/restock/suggestions';
import type { SuggestionDoc } from '../domain/purchasing';
import { auditedBy, locationScope, mayReadAny, requireOps, visibleLocations } from './auth';
import {
  DismissBody,
  Id,
  LocationId,
  PageQuery,
  RuleBody,
  Sku,
  SuggestionOrderBody,
  SuggestionStatus,
  SuggestionTransferBody,
  closed,
} from './schemas';
import { purchaseOrderView, ruleView, suggestionView, transferView } from './views';

const SuggestionParams = Type.Object({ suggestionId: Id });
const RuleParams = Type.Object({ locationId: LocationId, sku: Sku });
const manage = { permission: 'inventory:transfer' as const };

/**
 * The restock inbox: low-stock alerts (and rules that could not act) as suggestions per store and
 * warehouse, for the managers of that location and ops. One call turns a suggestion into a transfer
 * request or a purchase order; another dismisses it. Min/max replenishment rules per SKU and location.
 */
export function registerRestockRoutes(app: App, inventory: InventoryApp): void {
  /** The suggestion if the caller manages its location; else the same 404 as an unknown id. */
  const visible = async (req: Parameters<typeof requirePrincipal>[0], id: string): Promise<SuggestionDoc> => {
    const s = await inventory.getSuggestion(id);
    if (!mayReadAny(requirePrincipal(req), ['inventory:transfer'], [s.locationId]))
      throw unknownSuggestion(id);
    return s;
  };

  app.get(
    '/v1/restock-suggestions',
    {
      config: manage,
      schema: {
        description:
          "The restock inbox, newest first: every location for ops, the caller's managed stores and warehouses otherwise.",
        querystring: Type.Object(
          {
            locationId: Type.Optional(LocationId),
            status: Type.Optional(SuggestionStatus),
            sku: Type.Optional(Sku),
            ...PageQuery,
          },
          closed,
        ),
      },
    },
    async (req) => {
      const { locationId, status, sku, limit, cursor } = req.query;
      const p = requirePrincipal(req);
      if (locationId) authorize(p, 'inventory:transfer', { storeId: locationId });
      const locationIds = visibleLocations(p, 'inventory:transfer');
      const page = await inventory.listSuggestions(
        {
          ...(locationIds ? { locationIds } : {}),
          ...(locationId ? { locationId } : {}),
          ...(status ? { status: status as SuggestionDoc['status'] } : {}),
          ...(sku ? { sku } : {}),
        },
        { limit, ...(cursor ? { cursor } : {}) },
      );
      return { items: page.items.map(suggestionView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/restock-suggestions/:suggestionId',
    { config: manage, schema: { params: SuggestionParams } },
    async (req) => suggestionView(await visible(req, req.params.suggestionId)),
  );

  app.post(
    '/v1/restock-suggestions/:suggestionId/transfer',
    {
      config: manage,
      schema: {
        description:
          'Turns an open suggestion into a transfer request (nothing moves until the source ships) from the suggested source, or `fromLocationId`; the suggestion closes in the same transaction (409 when it is no longer open). Audited.',
        params: SuggestionParams,
        body: SuggestionTransferBody,
      },
    },
    async (req, reply) => {
      const s = await visible(req, req.params.suggestionId);
      const b = req.body;
      const r = await inventory.suggestionToTransfer(s._id, {
        ...(b.qty ? { qty: b.qty } : {}),
        ...(b.fromLocationId ? { fromLocationId: b.fromLocationId } : {}),
        ...(b.note ? { note: b.note } : {}),
        ...auditedBy(req),
      });
      reply.code(201).header('location', `/v1/transfers/${r.transfer._id}`);
      return { suggestion: suggestionView(r.suggestion), transfer: transferView(r.transfer) };
    },
  );

  app.post(
    '/v1/restock-suggestions/:suggestionId/purchase-order',
    {
      config: manage,
      schema: {
        description:
          "Turns an open suggestion into a purchase order to the SKU's supplier (or `supplierId`): a draft, or placed at once with `place`. Audited.",
        params: SuggestionParams,
        body: SuggestionOrderBody,
      },
    },
    async (req, reply) => {
      const s = await visible(req, req.params.suggestionId);
      const b = req.body;
      const r = await inventory.suggestionToPurchaseOrder(s._id, {
        ...(b.qty ? { qty: b.qty } : {}),
        ...(b.supplierId ? { supplierId: b.supplierId } : {}),
        ...(b.place ? { place: true } : {}),
        ...(b.note ? { note: b.note } : {}),
        ...auditedBy(req),
      });
      reply.code(201).header('location', `/v1/purchase-orders/${r.purchaseOrder._id}`);
      return { suggestion: suggestionView(r.suggestion), purchaseOrder: purchaseOrderView(r.purchaseOrder) };
    },
  );

  app.post(
    '/v1/restock-suggestions/:suggestionId/dismiss',
    {
      config: manage,
      schema: {
        description: 'Closes a suggestion without acting (audited).',
        params: SuggestionParams,
        body: DismissBody,
      },
    },
    async (req) => {
      const s = await visible(req, req.params.suggestionId);
      return suggestionView(await inventory.dismissSuggestion(s._id, req.body.reason, auditedBy(req)));
    },
  );

  app.get(
    '/v1/locations/:locationId/replenishment-rules',
    {
      config: { permission: 'inventory:read', scope: locationScope },
      schema: {
        params: Type.Object({ locationId: LocationId }),
        querystring: Type.Object({ ...PageQuery }, closed),
      },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const page = await inventory.listRules(req.params.locationId, { limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map(ruleView), nextCursor: page.nextCursor };
    },
  );

  app.put(
    '/v1/locations/:locationId/replenishment-rules/:sku',
    {
      config: { permission: 'inventory:adjust', scope: locationScope },
      schema: {
        description:
          'Min/max replenishment of a SKU at a location: at or below `min` available (nothing of its own on the way), the rules job brings it back to `max` by a transfer (mode transfer/auto) or a placed purchase order (purchase/auto), within the daily budget. Audited.',
        params: RuleParams,
        body: RuleBody,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { rule, created } = await inventory.putRule(
        req.params.sku,
        req.params.locationId,
        {
          min: b.min,
          max: b.max,
          mode: (b.mode ?? 'auto') as 'auto' | 'transfer' | 'purchase',
          enabled: b.enabled ?? true,
        },
        auditedBy(req),
      );
      if (created) reply.code(201);
      return ruleView(rule);
    },
  );

  app.delete(
    '/v1/locations/:locationId/replenishment-rules/:sku',
    { config: { permission: 'inventory:adjust', scope: locationScope }, schema: { params: RuleParams } },
    async (req, reply) => {
      await inventory.deleteRule(req.params.sku, req.params.locationId, auditedBy(req));
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/ops/replenishment/run',
    {
      schema: {
        description: 'Evaluates every replenishment rule now (ops; the job does it on its own period).',
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      requireOps(req);
      return { outcomes: await inventory.replenish() };
    },
  );
}
