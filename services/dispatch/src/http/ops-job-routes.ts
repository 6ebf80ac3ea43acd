import { Type } from 'typebox';
import {
  ConflictError,
  mayReadStore,
  NotFoundError,
  readableStores,
  requirePrincipal,
  type App,
} from '@omni/kit';
import type { DispatchContext } from '../app/context';
import type { Dispatcher } from '../app/dispatcher';
import { opsJobView } from '../app/views';
import { iso } from '../store/collections';
import { Id, JobParams, JobStatus, PageQuery, pageOf } from './schemas';

/** Ops oversight of delivery jobs, and a manual re-search after a NoRiderAvailable alert. */
export function registerOpsJobRoutes(app: App, ctx: DispatchContext, dispatcher: Dispatcher): void {
  const manage = { permission: 'dispatch:manage' as const };

  app.get(
    '/v1/delivery-jobs',
    {
      config: manage,
      schema: {
        tags: ['ops'],
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(JobStatus),
          storeId: Type.Optional(Id),
          riderId: Type.Optional(Id),
          orderId: Type.Optional(Id),
        }),
      },
    },
    async (req) => {
      const { status, storeId, riderId, orderId } = req.query;
      const filter: Record<string, unknown> = {};
      if (status) filter.status = status;
      if (storeId) filter.storeId = storeId;
      if (riderId) filter.riderId = riderId;
      if (orderId) filter.orderId = orderId;
      // A store-bound holder of dispatch:manage sees its own stores' jobs only.
      const stores = readableStores(requirePrincipal(req), 'dispatch:manage');
      if (stores !== 'all') filter.$and = [{ storeId: { $in: [...stores] } }];
      return pageOf(ctx.collections.jobs, filter, req.query, opsJobView);
    },
  );

  app.get(
    '/v1/delivery-jobs/:jobId',
    { config: manage, schema: { tags: ['ops'], params: JobParams } },
    async (req) => {
      const job = await ctx.collections.jobs.findById(req.params.jobId);
      if (!job || !req.principal || !mayReadStore(req.principal, 'dispatch:manage', job.storeId))
        throw new NotFoundError('delivery job', req.params.jobId);
      return opsJobView(job);
    },
  );

  app.post(
    '/v1/delivery-jobs/:jobId/search-again',
    {
      config: manage,
      schema: {
        tags: ['ops'],
        summary: 'Search now, asking again riders who declined before',
        params: JobParams,
      },
    },
    async (req) => {
      const now = ctx.clock().getTime();
      const job = await ctx.store.withTransaction(async (session) => {
        const updated = await ctx.collections.jobs.findOneAndUpdate(
          { _id: req.params.jobId, status: 'searching' },
          { $set: { excludedRiderIds: [], nextSearchAt: iso(now), updatedAt: iso(now) } },
          { session },
        );
        if (!updated) {
          const existing = await ctx.collections.jobs.findById(req.params.jobId, { session });
          if (!existing) throw new NotFoundError('delivery job', req.params.jobId);
          throw new ConflictError('illegal-job-transition', `the job is ${existing.status}, not searching`);
        }
        await ctx.audit.record(
          {
            actor: requirePrincipal(req),
            action: 'dispatch.job.search-again',
            target: { type: 'delivery-job', id: updated._id },
          },
          session,
        );
        return updated;
      });
      const outcome = await dispatcher.dispatchJob(job._id, now);
      return {
        job: opsJobView((await ctx.collections.jobs.findById(job._id)) ?? job),
        outcome: outcome.kind,
      };
    },
  );
}
