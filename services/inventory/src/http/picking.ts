import { actorOf, type App, requirePrincipal } from '@omni/kit';
import { Type } from 'typebox';
import {
  confirmPicked,
  createPickList,
  getPickList,
  listBins,
  listPickLists,
  MAX_PICK_ORDERS,
  packOrder,
  setBins,
} from '../app/picking';
import type { InventoryContext } from '../app/context';
import type { BinDoc, PickListDoc, PickOrderDoc } from '../domain/picking';
import { MAX_LINES } from '../domain/validation';
import { auditedBy, locationScope, mayReadAny } from './auth';
import { Id, Lines, LocationId, PageQuery, closed } from './schemas';
import { NotFoundError } from '@omni/kit';

const LocationParams = Type.Object({ locationId: LocationId });
const PickListParams = Type.Object({ pickListId: Id });
const PickOrderParams = Type.Object({ pickListId: Id, orderId: Id });
const BinCode = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' });
const SetBinsBody = Type.Object(
  {
    bins: Type.Array(
      Type.Object(
        {
          sku: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]{1,64}$' }),
          bin: BinCode,
        },
        closed,
      ),
      {
        minItems: 1,
        maxItems: 500,
      },
    ),
  },
  closed,
);
const PickListBody = Type.Union([
  Type.Object(
    { orderIds: Type.Array(Id, { minItems: 1, maxItems: MAX_PICK_ORDERS, uniqueItems: true }) },
    closed,
  ),
  Type.Object({ wave: Type.Integer({ minimum: 1, maximum: MAX_PICK_ORDERS }) }, closed),
]);
const PickedBody = Type.Object(
  { missing: Type.Optional(Type.Array(Lines.items, { maxItems: MAX_LINES })) },
  closed,
);
const PackBody = Type.Object(
  {
    parcels: Type.Array(Type.Object({ weightGrams: Type.Integer({ minimum: 1, maximum: 70_000 }) }, closed), {
      minItems: 1,
      maxItems: 20,
    }),
  },
  closed,
);

const pickHere = { permission: 'pickup:work' as const, scope: locationScope };
const PICKERS = ['pickup:work' as const];

function binView(b: BinDoc) {
  return { locationId: b.locationId, sku: b.sku, bin: b.bin, updatedAt: b.updatedAt };
}

function pickOrderView(o: PickOrderDoc) {
  const { _id, ...rest } = o;
  return { reservationId: _id, ...rest };
}

function pickListView(l: PickListDoc, orders?: PickOrderDoc[]) {
  const { _id, ...rest } = l;
  return { pickListId: _id, ...rest, ...(orders ? { orders: orders.map(pickOrderView) } : {}) };
}

/**
 * Warehouse and ship-from-store fulfilment: bins per SKU per location (managers), pick lists per
 * order or wave in bin order, pick confirmation with short-pick, packing into parcels (staff of the
 * location with pickup:work, or ops). A pick list at another location answers 404.
 */
export function registerPickingRoutes(app: App, ctx: InventoryContext): void {
  /** The pick list, when the caller works at its location; 404 otherwise. */
  async function visiblePickList(req: Parameters<typeof requirePrincipal>[0], pickListId: string) {
    const found = await getPickList(ctx, pickListId);
    if (!mayReadAny(requirePrincipal(req), PICKERS, [found.pickList.locationId]))
      throw new NotFoundError('pick list', pickListId, 'unknown-pick-list');
    return found;
  }

  app.put(
    '/v1/locations/:locationId/bins',
    {
      config: { permission: 'inventory:adjust', scope: locationScope },
      schema: {
        tags: ['picking'],
        summary: 'Set the bin of SKUs at a location (audited)',
        params: LocationParams,
        body: SetBinsBody,
      },
    },
    async (req) => {
      const saved = await setBins(ctx, req.params.locationId, req.body.bins, auditedBy(req));
      return { items: saved.map(binView) };
    },
  );

  app.get(
    '/v1/locations/:locationId/bins',
    {
      config: { permission: 'inventory:read', scope: locationScope },
      schema: {
        tags: ['picking'],
        summary: 'Bins of SKUs at a location',
        params: LocationParams,
        querystring: Type.Object(PageQuery, closed),
      },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const page = await listBins(ctx, req.params.locationId, { limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map(binView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/locations/:locationId/pick-lists',
    {
      config: pickHere,
      schema: {
        tags: ['picking'],
        summary: 'Create a pick list: named orders, or a wave of the oldest unpicked orders (warehouses)',
        description:
          'Items are sorted by bin. 409 when an order is already on a pick list, 422 when an order has no active reservation here.',
        params: LocationParams,
        body: PickListBody,
      },
    },
    async (req, reply) => {
      const { pickList, orders } = await createPickList(ctx, req.params.locationId, req.body, actorOf(req));
      return reply
        .code(201)
        .header('location', `/v1/pick-lists/${pickList._id}`)
        .send(pickListView(pickList, orders));
    },
  );

  app.get(
    '/v1/locations/:locationId/pick-lists',
    {
      config: pickHere,
      schema: {
        tags: ['picking'],
        summary: 'Pick lists of a location, newest first',
        params: LocationParams,
        querystring: Type.Object(PageQuery, closed),
      },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const page = await listPickLists(ctx, req.params.locationId, { limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map((l) => pickListView(l)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/pick-lists/:pickListId',
    {
      config: { permission: 'pickup:work' },
      schema: {
        tags: ['picking'],
        summary: 'A pick list with the state of each order',
        params: PickListParams,
      },
    },
    async (req) => {
      const { pickList, orders } = await visiblePickList(req, req.params.pickListId);
      return pickListView(pickList, orders);
    },
  );

  app.post(
    '/v1/pick-lists/:pickListId/orders/:orderId/picked',
    {
      config: { permission: 'pickup:work' },
      schema: {
        tags: ['picking'],
        summary: 'Confirm the pick of one order; `missing` lists units not found on the shelf (short pick)',
        description:
          'A short pick writes the missing units off (pick-short movement), releases them from the reservation and announces the reservation at risk: orders re-routes the order to another location.',
        params: PickOrderParams,
        body: PickedBody,
      },
    },
    async (req) => {
      await visiblePickList(req, req.params.pickListId);
      const po = await confirmPicked(
        ctx,
        req.params.pickListId,
        req.params.orderId,
        req.body.missing ?? [],
        auditedBy(req),
      );
      return pickOrderView(po);
    },
  );

  app.post(
    '/v1/pick-lists/:pickListId/orders/:orderId/pack',
    {
      config: { permission: 'pickup:work' },
      schema: {
        tags: ['picking'],
        summary: 'Pack a picked order into parcels (weights in grams); orders hands it to the carrier',
        params: PickOrderParams,
        body: PackBody,
      },
    },
    async (req) => {
      await visiblePickList(req, req.params.pickListId);
      return pickOrderView(
        await packOrder(ctx, req.params.pickListId, req.params.orderId, req.body.parcels, actorOf(req)),
      );
    },
  );
}
