import { BadRequestError, requirePrincipal, type App } from '@omni/kit';
import { exchangeLines } from '../app/exchange';
import type { OrdersContext } from '../app/context';
import { decideReturn, decideWriteOffRefund, receiveReturn, requestReturn } from '../app/returns';
import {
  ExchangeBody,
  OrderParams,
  ReturnDecisionBody,
  ReturnParams,
  ReturnReceiveBody,
  ReturnRequestBody,
  WriteOffDecisionBody,
} from './schemas';
import { orderView } from './views';

export function registerReturnRoutes(app: App, ctx: OrdersContext): void {
  app.post(
    '/v1/orders/:orderId/returns',
    {
      schema: {
        tags: ['returns'],
        summary: 'Ask to return lines of a collected, delivered or shipped order',
        description:
          "The customer (own order) or ops (orders:return). 422 `not-returnable` when more units than bought (and not yet returned) are asked for, `return-window-closed` when a line's return window (its product's return policy, else the default, from the order's completion) has closed.",
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
          'Staff of the receiving location with inventory:adjust (managers), or ops (orders:return). A requested or accepted return; a refused one is 409. Emits omni.orders.return.received with the dispositions; inventory books the stock. Restocked units are refunded; written-off units wait for a write-off decision (no automatic refund).',
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

  app.post(
    '/v1/orders/:orderId/returns/:returnId/decision',
    {
      schema: {
        tags: ['returns'],
        summary: 'Accept or refuse a return request (a refusal needs a reason)',
        description:
          "Ops (orders:return) or a manager (inventory:adjust) of the order's location. Audited; emits omni.orders.return.accepted or .refused. A refused return's units may be asked for again.",
        params: ReturnParams,
        body: ReturnDecisionBody,
      },
    },
    async (req) => {
      const principal = requirePrincipal(req);
      const { order, ret } = await decideReturn(
        ctx,
        principal,
        req.params.orderId,
        req.params.returnId,
        req.body,
      );
      return { ...ret, orderId: order._id };
    },
  );

  app.post(
    '/v1/orders/:orderId/returns/:returnId/write-off-decision',
    {
      schema: {
        tags: ['returns'],
        summary: 'Decide whether written-off units of a received return are refunded',
        description:
          "Ops (orders:return) or a manager (inventory:adjust) of the order's or the receiving location. Audited. The return is then refunded: the restocked units, plus the written-off ones when `refund` is true. 409 when nothing waits for a decision.",
        params: ReturnParams,
        body: WriteOffDecisionBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const r = await decideWriteOffRefund(ctx, principal, req.params.orderId, req.params.returnId, req.body);
      return reply.code(r.inProgress ? 202 : 200).send(orderView(r.order, principal));
    },
  );

  app.post(
    '/v1/orders/:orderId/exchanges',
    {
      schema: {
        tags: ['returns'],
        summary:
          'Exchange: return lines and place a replacement order in one step, paying only the difference',
        description:
          "The customer (own order) or ops (orders:return). **`Idempotency-Key` required.** The return is accepted at once; the replacement (by default fulfilled like the original) is charged its total less the returned units' value; a cheaper replacement leaves the difference to be refunded when the goods are received. 422 as for returns (not returnable, window closed) and for placement.",
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
          required: ['idempotency-key'],
        },
        params: OrderParams,
        body: ExchangeBody,
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0)
        throw new BadRequestError('Idempotency-Key is required for an exchange', [
          { field: 'header.idempotency-key', message: 'required' },
        ]);
      const principal = requirePrincipal(req);
      const r = await exchangeLines(ctx, principal, key, req.params.orderId, req.body);
      return reply
        .code(201)
        .header('location', `/v1/orders/${r.replacement._id}`)
        .send({
          return: { ...r.ret, orderId: r.order._id },
          replacement: orderView(r.replacement, principal),
        });
    },
  );
}
