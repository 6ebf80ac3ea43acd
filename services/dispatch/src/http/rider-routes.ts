import { Type } from 'typebox';
import { NotFoundError, requirePrincipal, type App } from '@omni/kit';
import type { DispatchContext } from '../app/context';
import { endShift, registerRider, startShift, updateLocation, updateRider } from '../app/manage-riders';
import { acceptOffer, declineOffer } from '../app/respond-to-offer';
import { deliverParcel, failDelivery, pickUpParcel, ridersJob, startEnRoute } from '../app/rider-deliveries';
import { shiftCashReport } from '../app/queries/cash-report-query';
import { offerView, riderJobView, riderView } from '../app/views';
import { WITH_RIDER } from '../domain/job';
import {
  GeoPoint,
  Id,
  JobParams,
  Money,
  PageQuery,
  Vehicle,
  emptyBodyAsObject,
  meRiderId,
  pageOf,
} from './schemas';

const RiderParams = Type.Object({ riderId: Id });
const riderScope = (req: { params: unknown }) => ({ riderId: (req.params as { riderId: string }).riderId });

async function riderOr404(ctx: DispatchContext, riderId: string) {
  const doc = await ctx.collections.riders.findById(riderId);
  if (!doc) throw new NotFoundError('rider', riderId);
  return doc;
}

/** Current offer of a rider (at most one), as the rider sees it. */
export async function currentOffer(ctx: DispatchContext, riderId: string) {
  const rider = await riderOr404(ctx, riderId);
  if (!rider.offer) return null;
  const job = await ctx.collections.jobs.findById(rider.offer.jobId);
  return job && job.status === 'offered' && job.offer?.riderId === riderId ? offerView(job) : null;
}

export function registerRiderRoutes(app: App, ctx: DispatchContext): void {
  // ── ops: registration and oversight ──
  app.post(
    '/v1/riders',
    {
      config: { permission: 'dispatch:manage' },
      schema: {
        tags: ['riders'],
        summary: 'Register a rider (the id is the riderId claim of their tokens)',
        body: Type.Object(
          {
            id: Type.Optional(Id),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            vehicle: Vehicle,
            capacity: Type.Integer({ minimum: 1, maximum: 20 }),
            zoneId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const doc = await registerRider(ctx, requirePrincipal(req), req.body);
      return reply.code(201).header('location', `/v1/riders/${doc._id}`).send(riderView(doc));
    },
  );

  app.get(
    '/v1/riders',
    {
      config: { permission: 'dispatch:manage' },
      schema: {
        tags: ['riders'],
        querystring: Type.Object({
          ...PageQuery,
          onDuty: Type.Optional(Type.Boolean()),
          zoneId: Type.Optional(Id),
        }),
      },
    },
    async (req) => {
      const filter: Record<string, unknown> = {};
      if (req.query.onDuty !== undefined) filter.onDuty = req.query.onDuty;
      if (req.query.zoneId) filter.zoneId = req.query.zoneId;
      return pageOf(ctx.collections.riders, filter, req.query, riderView);
    },
  );

  app.patch(
    '/v1/riders/:riderId',
    {
      config: { permission: 'dispatch:manage' },
      schema: {
        tags: ['riders'],
        params: RiderParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            vehicle: Type.Optional(Vehicle),
            capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
            zoneId: Type.Optional(Type.Union([Id, Type.Null()])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => riderView(await updateRider(ctx, requirePrincipal(req), req.params.riderId, req.body)),
  );

  app.get(
    '/v1/ops/riders/:riderId/shifts/:shiftId/cash',
    {
      config: { permission: 'dispatch:manage' },
      schema: {
        tags: ['riders'],
        summary: 'Cash-on-delivery reconciliation of a shift',
        params: Type.Object({ riderId: Id, shiftId: Id }),
      },
    },
    async (req) => shiftCashReport(ctx, req.params.riderId, req.params.shiftId),
  );

  // ── a rider (own id) or ops ──
  app.get(
    '/v1/riders/:riderId',
    {
      config: { permission: 'dispatch:ride', scope: riderScope },
      schema: { tags: ['riders'], params: RiderParams },
    },
    async (req) => riderView(await riderOr404(ctx, req.params.riderId)),
  );

  app.get(
    '/v1/riders/:riderId/shifts',
    {
      config: { permission: 'dispatch:ride', scope: riderScope },
      schema: { tags: ['riders'], params: RiderParams, querystring: Type.Object(PageQuery) },
    },
    async (req) => {
      // The shifts of a rider nobody registered are a 404, not an empty page.
      await riderOr404(ctx, req.params.riderId);
      return pageOf(ctx.collections.shifts, { riderId: req.params.riderId }, req.query, (s) => ({
        id: s._id,
        startedAt: s.startedAt,
        endedAt: s.endedAt,
      }));
    },
  );

  // ── the rider, on their own account (scoped by the token's riderId) ──
  const ride = { permission: 'dispatch:ride' as const };

  app.get('/v1/riders/me', { config: ride, schema: { tags: ['rider app'] } }, async (req) =>
    riderView(await riderOr404(ctx, meRiderId(req))),
  );

  app.post(
    '/v1/riders/me/shift/start',
    { config: ride, schema: { tags: ['rider app'], summary: 'Go on duty' } },
    async (req) => riderView(await startShift(ctx, meRiderId(req))),
  );
  app.post(
    '/v1/riders/me/shift/end',
    { config: ride, schema: { tags: ['rider app'], summary: 'Go off duty' } },
    async (req) => riderView(await endShift(ctx, meRiderId(req))),
  );

  app.post(
    '/v1/riders/me/location',
    {
      config: ride,
      schema: { tags: ['rider app'], summary: 'Location fix (the WebSocket takes the same)', body: GeoPoint },
    },
    async (req, reply) => {
      await updateLocation(ctx, meRiderId(req), req.body);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/riders/me/offers',
    {
      config: ride,
      schema: { tags: ['rider app'], summary: 'The open offer (0 or 1), for riders without a WebSocket' },
    },
    async (req) => {
      const offer = await currentOffer(ctx, meRiderId(req));
      return { items: offer ? [offer] : [] };
    },
  );

  app.post(
    '/v1/riders/me/offers/:jobId/accept',
    { config: ride, schema: { tags: ['rider app'], params: JobParams } },
    async (req) => riderJobView(await acceptOffer(ctx, meRiderId(req), req.params.jobId)),
  );

  app.post(
    '/v1/riders/me/offers/:jobId/decline',
    {
      config: ride,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['rider app'],
        params: JobParams,
        body: Type.Object(
          { reason: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await declineOffer(ctx, meRiderId(req), req.params.jobId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/riders/me/jobs',
    { config: ride, schema: { tags: ['rider app'], summary: 'Jobs the rider holds' } },
    async (req) => {
      const jobs = await ctx.collections.jobs.find(
        { riderId: meRiderId(req), status: { $in: [...WITH_RIDER] } },
        { sort: { assignedAt: 1 } },
      );
      return { items: jobs.map(riderJobView) };
    },
  );

  app.get(
    '/v1/riders/me/jobs/:jobId',
    { config: ride, schema: { tags: ['rider app'], params: JobParams } },
    async (req) => riderJobView(await ridersJob(ctx, meRiderId(req), req.params.jobId)),
  );

  app.post(
    '/v1/riders/me/jobs/:jobId/pickup',
    {
      config: ride,
      schema: {
        tags: ['rider app'],
        summary: 'Scan the parcel label at the store',
        params: JobParams,
        body: Type.Object(
          { parcelCode: Type.String({ minLength: 1, maxLength: 32 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      riderJobView(await pickUpParcel(ctx, meRiderId(req), req.params.jobId, req.body.parcelCode)),
  );

  app.post(
    '/v1/riders/me/jobs/:jobId/en-route',
    { config: ride, schema: { tags: ['rider app'], params: JobParams } },
    async (req) => riderJobView(await startEnRoute(ctx, meRiderId(req), req.params.jobId)),
  );

  app.post(
    '/v1/riders/me/jobs/:jobId/deliver',
    {
      config: ride,
      schema: {
        tags: ['rider app'],
        summary: "Delivered: the customer's code, or a photo taken at the door",
        params: JobParams,
        body: Type.Object(
          {
            proof: Type.Union([
              Type.Object(
                { kind: Type.Literal('code'), code: Type.String({ minLength: 1, maxLength: 16 }) },
                { additionalProperties: false },
              ),
              Type.Object(
                {
                  kind: Type.Literal('photo'),
                  photoUrl: Type.String({ format: 'uri', pattern: '^https://', maxLength: 2000 }),
                  geo: GeoPoint,
                },
                { additionalProperties: false },
              ),
            ]),
            codCollected: Type.Optional(Money),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      riderJobView(
        await deliverParcel(ctx, meRiderId(req), req.params.jobId, req.body.proof, req.body.codCollected),
      ),
  );

  app.post(
    '/v1/riders/me/jobs/:jobId/fail',
    {
      config: ride,
      schema: {
        tags: ['rider app'],
        summary: 'Delivery attempt failed: bring the parcel back to the store',
        params: JobParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => riderJobView(await failDelivery(ctx, meRiderId(req), req.params.jobId, req.body.reason)),
  );
}
