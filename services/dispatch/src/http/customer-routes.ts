import { Type } from 'typebox';
import {
  authorize,
  mayReadStore,
  NotFoundError,
  requirePrincipal,
  type App,
  type Permission,
  type Principal,
} from '@omni/kit';
import type { DispatchContext } from '../app/context';
import { currentJobOfOrder, trackOrder } from '../app/queries/tracking-query';
import type { JobDoc } from '../store/collections';
import { Id } from './schemas';

/**
 * Staff and store-bound clients see deliveries of their own stores only: another store's delivery
 * answers 404 like an unknown order (the rider's name and live position are not theirs to read).
 */
function authorizeStoreReader(principal: Principal | null, job: JobDoc, permission: Permission): void {
  const p = authorize(principal, permission);
  if (!mayReadStore(p, permission, job.storeId)) throw new NotFoundError('delivery of order', job.orderId);
}

/** A customer sees the delivery of their own orders; staff with `orders:read` those of their stores, ops any. */
function authorizeOrderReader(principal: Principal | null, job: JobDoc): void {
  if (principal?.role === 'customer')
    authorize(principal, 'orders:read:own', { customerId: job.customerId ?? '\u0000no-customer' });
  else authorizeStoreReader(principal, job, 'orders:read');
}

export function registerCustomerRoutes(app: App, ctx: DispatchContext): void {
  const params = Type.Object({ orderId: Id });

  app.get(
    '/v1/orders/:orderId/tracking',
    {
      schema: {
        tags: ['customer'],
        summary: "Live delivery tracking: status, rider's position, ETA",
        params,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const p = requirePrincipal(req); // before looking anything up
      const job = await currentJobOfOrder(ctx, req.params.orderId);
      authorizeOrderReader(p, job);
      return trackOrder(ctx, job, ctx.clock().getTime());
    },
  );

  app.get(
    '/v1/orders/:orderId/delivery',
    {
      schema: {
        tags: ['customer'],
        summary: 'The delivery code the customer gives the rider at the door',
        params,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const p = requirePrincipal(req); // before looking anything up
      const job = await currentJobOfOrder(ctx, req.params.orderId);
      // Only the customer (and ops) see the code: store staff and riders must not.
      if (p.role === 'customer')
        authorize(p, 'orders:read:own', { customerId: job.customerId ?? '\u0000no-customer' });
      else authorizeStoreReader(p, job, 'dispatch:manage');
      return {
        orderId: job.orderId,
        jobId: job._id,
        status: job.status,
        promisedAt: job.promisedAt,
        deliveryCode: job.deliveryCode,
      };
    },
  );
}
