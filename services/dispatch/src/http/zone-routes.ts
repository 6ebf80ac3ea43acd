import { Type } from 'typebox';
import { NotFoundError, requirePrincipal, type App } from '@omni/kit';
import type { DispatchContext } from '../app/context';
import { createZone, deleteZone, replaceZone, type ZoneInput } from '../app/manage-zones';
import { zoneView } from '../app/views';
import type { AreaGeometry } from '../domain/geo';
import { Area, GeoPoint, Id, PageQuery, Vehicle, pageOf } from './schemas';

const ZoneBody = Type.Object(
  {
    city: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    area: Area,
    stores: Type.Array(Type.Object({ storeId: Id, geo: GeoPoint }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 200,
    }),
    maxTripMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 240 })),
    referenceVehicle: Type.Optional(Vehicle),
    slotMinutes: Type.Optional(Type.Union([15, 20, 30, 60, 120].map((m) => Type.Literal(m)))),
    slotCapacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const CreateZoneBody = Type.Object(
  { ...ZoneBody.properties, id: Type.Optional(Id) },
  { additionalProperties: false },
);

function toInput(body: {
  city: string;
  name: string;
  area: unknown;
  stores: ZoneInput['stores'];
  maxTripMinutes?: number;
  referenceVehicle?: ZoneInput['referenceVehicle'];
  slotMinutes?: number;
  slotCapacity?: number;
  active?: boolean;
  id?: string;
}): ZoneInput {
  return { ...body, area: body.area as AreaGeometry };
}

/** Delivery zones: ops CRUD, and the serviceability check storefronts ask before offering delivery. */
export function registerZoneRoutes(app: App, ctx: DispatchContext): void {
  app.post(
    '/v1/zones',
    {
      config: { permission: 'dispatch:manage' },
      schema: { tags: ['zones'], summary: 'Create a delivery zone', body: CreateZoneBody },
    },
    async (req, reply) => {
      const doc = await createZone(ctx, requirePrincipal(req), toInput(req.body));
      return reply
        .code(201)
        .header('location', `/v1/zones/${doc._id}`)
        .header('etag', `"${doc.version}"`)
        .send(zoneView(doc));
    },
  );

  app.get(
    '/v1/zones',
    {
      config: { permission: 'dispatch:manage' },
      schema: {
        tags: ['zones'],
        summary: 'List zones',
        querystring: Type.Object({ ...PageQuery, city: Type.Optional(Type.String({ maxLength: 100 })) }),
      },
    },
    async (req) =>
      pageOf(ctx.collections.zones, req.query.city ? { city: req.query.city } : {}, req.query, zoneView),
  );

  app.get(
    '/v1/zones/:zoneId',
    {
      config: { permission: 'dispatch:manage' },
      schema: { tags: ['zones'], params: Type.Object({ zoneId: Id }) },
    },
    async (req, reply) => {
      const doc = await ctx.collections.zones.findById(req.params.zoneId);
      if (!doc) throw new NotFoundError('zone', req.params.zoneId);
      return reply.header('etag', `"${doc.version}"`).send(zoneView(doc));
    },
  );

  app.put(
    '/v1/zones/:zoneId',
    {
      config: { permission: 'dispatch:manage' },
      schema: {
        tags: ['zones'],
        summary: 'Replace a zone (send If-Match with the ETag to avoid overwriting a concurrent edit)',
        params: Type.Object({ zoneId: Id }),
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ pattern: '^"?[0-9]+"?$' })) }),
        body: ZoneBody,
      },
    },
    async (req, reply) => {
      const ifMatch = req.headers['if-match'];
      const expected = typeof ifMatch === 'string' ? Number(ifMatch.replaceAll('"', '')) : undefined;
      const doc = await replaceZone(
        ctx,
        requirePrincipal(req),
        req.params.zoneId,
        toInput(req.body),
        expected,
      );
      return reply.header('etag', `"${doc.version}"`).send(zoneView(doc));
    },
  );

  app.delete(
    '/v1/zones/:zoneId',
    {
      config: { permission: 'dispatch:manage' },
      schema: { tags: ['zones'], params: Type.Object({ zoneId: Id }) },
    },
    async (req, reply) => {
      await deleteZone(ctx, requirePrincipal(req), req.params.zoneId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/serviceability',
    {
      schema: {
        tags: ['zones'],
        summary: 'Is an address served by local delivery, and from which stores (fastest first)?',
        querystring: Type.Object({
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lng: Type.Number({ minimum: -180, maximum: 180 }),
          storeId: Type.Optional(Id),
        }),
      },
    },
    async (req) => {
      const { lat, lng, storeId } = req.query;
      const s = ctx.zones.current.serviceability({ lat, lng }, ctx.settings.travel, storeId);
      return {
        served: s.served,
        zoneIds: s.zoneIds,
        stores: s.stores.map((x) => ({
          zoneId: x.zoneId,
          storeId: x.storeId,
          tripMinutes: Math.round(x.tripMinutes * 10) / 10,
        })),
      };
    },
  );
}
