import { BadRequestError, requirePrincipal, UnprocessableError, type App } from '@omni/kit';
import type { OrdersContext } from '../app/context';
import { cancelOrder } from '../app/cancel-order';
import { loadVisibleOrder } from '../app/order-access';
import { placeOrder } from '../app/place-order';
import { listOrders } from '../app/queries/list-orders';
import { shipOrder } from '../app/ship-order';
import type { OrderStatus } from '../domain/types';
import { CancelBody, ListOrdersQuery, OrderParams, PlaceOrderBody, ShipBody } from './schemas';
import { orderView } from './views';

/** Commands whose body is optional: a POST without one counts as `{}`. */
async function optionalBody(req: { body: unknown }): Promise<void> {
  req.body ??= {};
}

export function registerOrderRoutes(app: App, ctx: OrdersContext): void {
  app.post(
    '/v1/orders',
    {
      config: { permission: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary: 'Place an order',
        description:
          'Requires `Idempotency-Key`: the same key (same caller) returns the same order, even after a crash mid-way. Prices come from catalog. ' +
          'Answers 201 with the confirmed order, 202 while the saga is still running (poll the Location), 422 when it cannot be placed ' +
          '(unsellable lines, no location can serve it, pickup store cannot serve it — with a suggestion, payment declined, stock ran out) ' +
          'and 503 when a service it needs is down (retry with the same key).',
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
          required: ['idempotency-key'],
        },
        body: PlaceOrderBody,
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0) {
        throw new BadRequestError('Idempotency-Key is required to place an order', [
          { field: 'header.idempotency-key', message: 'required' },
        ]);
      }
      const { order } = await placeOrder(ctx, requirePrincipal(req), key, req.body);
      if (order.status === 'failed') {
        throw new UnprocessableError('order-failed', order.statusReason ?? 'the order could not be placed', {
          orderId: order._id,
          orderStatus: order.status,
          failure: order.failure,
        });
      }
      const code = order.status === 'pending' ? 202 : 201;
      return reply
        .code(code)
        .header('location', `/v1/orders/${order._id}`)
        .send(orderView(order, req.principal));
    },
  );

  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        tags: ['orders'],
        summary: 'An order (own for customers, own store for staff)',
        params: OrderParams,
      },
    },
    async (req) => orderView(await loadVisibleOrder(ctx, req.principal, req.params.orderId), req.principal),
  );

  app.get(
    '/v1/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Order history (customers) and search (staff: own store; ops: all)',
        querystring: ListOrdersQuery,
      },
    },
    async (req) => {
      const principal = requirePrincipal(req);
      const q = req.query;
      const page = await listOrders(ctx, principal, {
        ...q,
        status: q.status ? (q.status.split(',') as OrderStatus[]) : undefined,
      });
      return { items: page.items.map((o) => orderView(o, principal)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/orders/:orderId/cancel',
    {
      preValidation: optionalBody,
      schema: {
        tags: ['orders'],
        summary: 'Cancel an order',
        description:
          'Customers: own orders before picking started. Ops (orders:cancel): also while waiting at the counter. 409 when the status does not allow it.',
        params: OrderParams,
        body: CancelBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const r = await cancelOrder(ctx, principal, req.params.orderId, req.body?.reason);
      return reply.code(r.inProgress ? 202 : 200).send(orderView(r.order, principal));
    },
  );

  app.post(
    '/v1/orders/:orderId/shipments',
    {
      preValidation: optionalBody,
      schema: {
        tags: ['orders'],
        summary: 'Mark a ship order as handed to the carrier (commits stock, captures payment)',
        description: 'Ops (orders:manage) or staff of the shipping location (pickup:work).',
        params: OrderParams,
        body: ShipBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const r = await shipOrder(ctx, principal, req.params.orderId, req.body ?? {});
      return reply.code(r.inProgress ? 202 : 200).send(orderView(r.order, principal));
    },
  );
}
