import { Type } from 'typebox';
import { authorize, type App } from '@omni/kit';
import { listNotifications, preferencesOf, setPreferences } from '../app/notifications';
import type { CustomersContext } from '../app/context';
import { NOTIFICATION_CHANNELS } from '../domain/notification';
import { resolveCustomer } from '../store/collections';
import { NotFoundError } from '@omni/kit';
import { authorizeCustomerRead } from './access';
import { IdParams, PageQuery } from './schemas';

const tags = ['notifications'];

const Channel = Type.Union(NOTIFICATION_CHANNELS.map((c) => Type.Literal(c)));
const PrefsBody = Type.Object(
  {
    orderUpdates: Type.Boolean(),
    channels: Type.Array(Channel, { minItems: 1, maxItems: NOTIFICATION_CHANNELS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

/** The customer's order notifications and their preferences (the customer, or staff/ops). */
export function registerNotificationRoutes(app: App, ctx: CustomersContext): void {
  app.get(
    '/v1/customers/:id/notifications',
    {
      schema: {
        tags,
        summary: 'Notifications sent (or suppressed) to the customer about their orders, newest first',
        description:
          'The customer themself, or `customers:read`. Each notification says its channel and status (pending, sent, failed, or suppressed with why). ' +
          'Never contains a pickup code.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        querystring: PageQuery,
      },
    },
    async (req) => {
      await authorizeCustomerRead(ctx, req, req.params.id);
      return listNotifications(ctx, req.params.id, req.query);
    },
  );

  app.get(
    '/v1/customers/:id/notification-preferences',
    {
      schema: {
        tags,
        summary: 'Order-update preferences: on/off and channels in order of preference',
        security: [{ bearerAuth: [] }],
        params: IdParams,
      },
    },
    async (req) => {
      await authorizeCustomerRead(ctx, req, req.params.id);
      const resolved = await resolveCustomer(ctx.collections, req.params.id);
      if (!resolved) throw new NotFoundError('customer', req.params.id);
      return { customerId: resolved.doc._id, ...(await preferencesOf(ctx, resolved.doc._id)) };
    },
  );

  app.put(
    '/v1/customers/:id/notification-preferences',
    {
      schema: {
        tags,
        summary: 'Set order-update preferences',
        description:
          'The customer themself (or `customers:write`). `orderUpdates: false` stops messages (they are still listed, as suppressed); ' +
          'the first of `channels` the customer has a contact for is used (push needs none).',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        body: PrefsBody,
      },
    },
    async (req) => {
      const p = req.principal;
      if (p?.role === 'customer') await authorizeCustomerRead(ctx, req, req.params.id);
      else authorize(p, 'customers:write');
      const resolved = await resolveCustomer(ctx.collections, req.params.id);
      if (!resolved) throw new NotFoundError('customer', req.params.id);
      const doc = await setPreferences(ctx, resolved.doc._id, req.body);
      return { customerId: doc._id, orderUpdates: doc.orderUpdates, channels: doc.channels };
    },
  );
}
