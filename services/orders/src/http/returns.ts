import { requirePrincipal, type App } from '@omni/kit';
import type { OrdersContext } from '../app/context';
import { receiveReturn, requestReturn } from '../app/returns';
import { OrderParams, ReturnParams, ReturnReceiveBody, ReturnRequestBody } from './schemas';
import { orderView } from './views';

export function registerReturnRoutes(app: App, ctx: OrdersContext): void {
  app.post(
    '/v1/orders/:orderId/returns',
    {
      schema: {
        tags: ['returns'],
        summary: 'Ask to return lines of a collected, delivered or shipped order',
        description:
          'The customer (own order) or ops (orders:return). 422 when more units than bought (and not yet returned) are asked for.',
        params: OrderParams,
        body: ReturnRequestBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const { order, ret } = await requestReturn(ctx, principal, req.params.orderId, req.body.lines);
      return reply
        .code(201)
        .header('location', `/v1/orders/${order._id}`)
        .send({ ...ret, orderId: order._id });
    },
  );

  app.post(
    '/v1/orders/:orderId/returns/:returnId/receive',
    {
      schema: {
        tags: ['returns'],
        summary: 'Receive returned goods at a store or warehouse: restock or write off per line, then refund',
        description:
          'Staff of the receiving location with inventory:adjust (managers), or ops (orders:return). Emits omni.orders.return.received with the dispositions; inventory books the stock.',
        params: ReturnParams,
        body: ReturnReceiveBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const r = await receiveReturn(ctx, principal, req.params.orderId, req.params.returnId, req.body);
      return reply.code(r.inProgress ? 202 : 200).send(orderView(r.order, principal));
    },
  );
}
