import type { App } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { auditedBy } from './auth';
import {
  Capability,
  LocationId,
  LocationBody,
  LocationPatchBody,
  LocationStatus,
  LocationType,
  PageQuery,
  Reason,
  closed,
} from './schemas';
import { locationView } from './views';

const Params = Type.Object({ locationId: LocationId });
const write = { permission: 'locations:write' as const };

/** Warehouses and stores: operator CRUD, public reads (store finders, storefront pickup choices). */
export function registerLocationRoutes(app: App, inventory: InventoryApp): void {
  app.post('/v1/locations', { config: write, schema: { body: LocationBody } }, async (req, reply) => {
    const b = req.body;
    const location = await inventory.createLocation(
      {
        ...(b.id ? { id: b.id } : {}),
        name: b.name,
        type: b.type,
        address: b.address,
        geo: b.geo,
        ...(b.openingHours ? { openingHours: b.openingHours } : {}),
        capabilities: b.capabilities,
        ...(b.status ? { status: b.status } : {}),
      },
      auditedBy(req),
    );
    return reply.code(201).header('location', `/v1/locations/${location._id}`).send(locationView(location));
  });

  app.get(
    '/v1/locations',
    {
      schema: {
        description: 'Locations (public), filtered by type, status or capability.',
        querystring: Type.Object(
          {
            type: Type.Optional(LocationType),
            status: Type.Optional(LocationStatus),
            capability: Type.Optional(Capability),
            ...PageQuery,
          },
          closed,
        ),
      },
    },
    async (req) => {
      const { limit, cursor, ...q } = req.query;
      const page = await inventory.listLocations(q, { limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map(locationView), nextCursor: page.nextCursor };
    },
  );

  app.get('/v1/locations/:locationId', { schema: { params: Params } }, async (req) =>
    locationView(await inventory.getLocation(req.params.locationId)),
  );

  app.patch(
    '/v1/locations/:locationId',
    { config: write, schema: { params: Params, body: LocationPatchBody } },
    async (req) =>
      locationView(await inventory.updateLocation(req.params.locationId, req.body, auditedBy(req))),
  );

  app.put(
    '/v1/locations/:locationId/status',
    {
      config: write,
      schema: {
        description:
          'Pauses or re-activates a location (LocationStatusChanged). Paused: no reservations, no channel ATP.',
        params: Params,
        body: Type.Object({ status: LocationStatus, reason: Type.Optional(Reason) }, closed),
      },
    },
    async (req) =>
      locationView(
        await inventory.setLocationStatus(
          req.params.locationId,
          req.body.status,
          req.body.reason,
          auditedBy(req),
        ),
      ),
  );

  app.delete(
    '/v1/locations/:locationId',
    {
      config: write,
      schema: {
        description: 'Only a location without stock or active reservations (409 otherwise).',
        params: Params,
      },
    },
    async (req, reply) => {
      await inventory.deleteLocation(req.params.locationId, auditedBy(req));
      return reply.code(204).send();
    },
  );
}
