import { requirePrincipal, type App } from '@omni/kit';
import { Type } from 'typebox';
import type { OrdersContext } from '../app/context';
import { chooseLateRemedy, markLate } from '../app/late-delivery';
import { OrderParams } from './schemas';
import { orderView } from './views';

const MarkLateBody = Type.Object(
  { minutesLate: Type.Integer({ minimum: 1, maximum: 10_080 }) },
  { additionalProperties: false },
);

const LateRemedyBody = Type.Object(
  { choice: Type.Union([Type.Literal('free_order'), Type.Literal('redelivery')]) },
  { additionalProperties: false },
);

export function registerLateDeliveryRoutes(app: App, ctx: OrdersContext): void {
  app.post(
    '/v1/orders/:orderId/late',
    {
      schema: {
        tags: ['orders'],
        summary: 'Report a delivery as late (ops)',
        description:
          "Ops (orders:manage, audited): the delivery is `minutesLate` beyond its promise, as dispatch's SLA check reports it. " +
          'The tenant policy applies once per tier: the delivery fee back (or a coupon) from `lateFeeAfterMinutes`; beyond ' +
          '`lateFreeOrderAfterMinutes` the customer is offered a free order or a re-delivery. A report not later than the last changes nothing. ' +
          '409 for an order that is not an open delivery.',
        params: OrderParams,
        body: MarkLateBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const order = await markLate(ctx, principal, req.params.orderId, req.body.minutesLate);
      return reply.send(orderView(order, principal));
    },
  );

  app.post(
    '/v1/orders/:orderId/late-remedy',
    {
      schema: {
        tags: ['orders'],
        summary: 'Choose the remedy for a very late delivery: free order or re-delivery',
        description:
          'The customer of the order (or ops, audited), once the order was offered a remedy (`late.remedy`) and before ' +
          '`late.remedy.decideBy` (after it the policy default is applied). `free_order`: everything charged comes back through ' +
          'the payment (cash on delivery: a wallet coupon of the same value); `redelivery`: the goods still come, the fee is back ' +
          'and a goodwill coupon goes to the wallet. The same choice again answers the order; another one is 409 `late-remedy-not-open`.',
        params: OrderParams,
        body: LateRemedyBody,
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const order = await chooseLateRemedy(ctx, principal, req.params.orderId, req.body.choice);
      return reply.send(orderView(order, principal));
    },
  );
}
