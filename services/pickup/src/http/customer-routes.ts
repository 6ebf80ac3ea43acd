import { Type } from 'typebox';
import type { App } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { customerPickup } from '../app/queries/queries';
import { Id, TaskStateSchema } from './schemas';
import { requirePrincipal } from '@omni/kit';

const CustomerPickupView = Type.Object({
  orderId: Type.String(),
  taskId: Type.String(),
  storeId: Type.String(),
  state: TaskStateSchema,
  promisedReadyAt: Type.String(),
  readyAt: Type.Optional(Type.String()),
  holdUntil: Type.Optional(Type.String()),
  collectedAt: Type.Optional(Type.String()),
  lines: Type.Array(
    Type.Object({ sku: Type.String(), name: Type.Optional(Type.String()), qty: Type.Integer() }),
  ),
  locked: Type.Boolean(),
  code: Type.Union([Type.String(), Type.Null()], {
    description: 'Numeric pickup code while the task is open',
  }),
  qr: Type.Union([Type.String(), Type.Null()], {
    description: 'Signed QR payload (Ed25519) while the task is open',
  }),
});

export function registerCustomerRoutes(app: App, ctx: PickupContext): void {
  app.get(
    '/v1/orders/:orderId/pickup',
    {
      config: { permission: 'orders:read:own' },
      schema: {
        tags: ['pickup (customer)'],
        description:
          "The customer's pickup for their order: state, and while open the pickup code and QR payload.",
        params: Type.Object({ orderId: Id }),
        response: { 200: CustomerPickupView },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return customerPickup(ctx, requirePrincipal(req), req.params.orderId);
    },
  );
}
