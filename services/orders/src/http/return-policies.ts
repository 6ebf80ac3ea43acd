import { requirePrincipal, type App } from '@omni/kit';
import type { OrdersContext } from '../app/context';
import { listReturnPolicies, setReturnPolicy } from '../app/return-policies';
import type { ReturnPolicyDoc } from '../store/collections';
import { PageQuery, ProductParams, ReturnPolicyBody } from './schemas';

const view = (r: ReturnPolicyDoc) => ({
  productId: r._id,
  windowDays: r.windowDays,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
});

/** Return windows per product (ops, audited); products without one use the default window. */
export function registerReturnPolicyRoutes(app: App, ctx: OrdersContext): void {
  app.put(
    '/v1/return-policies/:productId',
    {
      config: { permission: 'orders:manage' },
      schema: {
        tags: ['returns'],
        summary: "Set a product's return window in days from the order's completion (0: not returnable)",
        params: ProductParams,
        body: ReturnPolicyBody,
      },
    },
    async (req) =>
      view(await setReturnPolicy(ctx, requirePrincipal(req), req.params.productId, req.body.windowDays)),
  );

  app.get(
    '/v1/return-policies',
    {
      config: { permission: 'orders:manage' },
      schema: {
        tags: ['returns'],
        summary: 'Return windows set per product (others use the default)',
        querystring: PageQuery,
      },
    },
    async (req) => {
      const page = await listReturnPolicies(ctx, {
        limit: req.query.limit,
        ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
      });
      return {
        items: page.items.map(view),
        nextCursor: page.nextCursor,
        defaultWindowDays: ctx.env.policy.returnWindowDays,
      };
    },
  );
}
