import { Type } from 'typebox';
import { NotFoundError, StoreId, type App } from '@omni/kit';
import type { DispatchContext } from '../app/context';
import { confirmJob, markReady, receiveReturn, rejectJob } from '../app/store-actions';
import { storeJobView } from '../app/views';
import { JobStatus, PageQuery, StoreJobParams, emptyBodyAsObject, pageOf } from './schemas';

const storeScope = (req: { params: unknown }) => ({ storeId: (req.params as { storeId: string }).storeId });
const staff = { permission: 'dispatch:store' as const, scope: storeScope };

/** A store dispatch serves (in a zone) or has jobs of; any other id is a 404, not an empty list. */
async function storeOr404(ctx: DispatchContext, storeId: string): Promise<void> {
  if (await ctx.collections.zones.findOne({ 'stores.storeId': storeId })) return;
  if (await ctx.collections.jobs.findOne({ storeId })) return;
  throw new NotFoundError('store', storeId, 'store-not-found');
}

/** Store staff (own store only): confirm or reject delivery jobs, mark parcels ready, take returns. */
export function registerStoreRoutes(app: App, ctx: DispatchContext): void {
  app.get(
    '/v1/stores/:storeId/delivery-jobs',
    {
      config: staff,
      schema: {
        tags: ['store'],
        params: Type.Object({ storeId: StoreId }),
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(JobStatus) }),
      },
    },
    async (req) => {
      await storeOr404(ctx, req.params.storeId);
      const filter: Record<string, unknown> = { storeId: req.params.storeId };
      if (req.query.status) filter.status = req.query.status;
      return pageOf(ctx.collections.jobs, filter, req.query, storeJobView);
    },
  );

  app.post(
    '/v1/stores/:storeId/delivery-jobs/:jobId/confirm',
    {
      config: staff,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['store'],
        summary:
          'Accept the delivery job; optionally say in how many minutes the parcel will be ready (the rider search starts ahead of it)',
        params: StoreJobParams,
        body: Type.Object(
          { readyInMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      storeJobView(await confirmJob(ctx, req.params.storeId, req.params.jobId, req.body.readyInMinutes)),
  );

  app.post(
    '/v1/stores/:storeId/delivery-jobs/:jobId/reject',
    {
      config: staff,
      schema: {
        tags: ['store'],
        summary: 'Cannot fulfil: the order is re-routed to another store',
        params: StoreJobParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => storeJobView(await rejectJob(ctx, req.params.storeId, req.params.jobId, req.body.reason)),
  );

  app.post(
    '/v1/stores/:storeId/delivery-jobs/:jobId/ready',
    {
      config: staff,
      schema: { tags: ['store'], summary: 'The parcel is packed and waiting', params: StoreJobParams },
    },
    async (req) => storeJobView(await markReady(ctx, req.params.storeId, req.params.jobId)),
  );

  app.post(
    '/v1/stores/:storeId/delivery-jobs/:jobId/returned',
    {
      config: staff,
      schema: {
        tags: ['store'],
        summary: 'A failed delivery came back to the store',
        params: StoreJobParams,
      },
    },
    async (req) => storeJobView(await receiveReturn(ctx, req.params.storeId, req.params.jobId)),
  );
}
