import { can, ForbiddenError, type Service } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { actorOf, principalOf } from './auth';
import { Id, ReceiveTransferBody, TransferBody } from './schemas';
import { transferView } from './views';

const Params = Type.Object({ transferId: Id });

/**
 * Transfers between locations: managers of either end (or ops) request, the source ships
 * (inventory:transfer there), the destination's staff receive (pos:sync there).
 */
export function transferRoutes(svc: Service, inventory: InventoryApp): void {
  const { app } = svc;

  app.post(
    '/v1/transfers',
    { config: { permission: 'inventory:transfer' }, schema: { body: TransferBody } },
    async (req, reply) => {
      const b = req.body;
      const p = principalOf(req);
      if (
        !can(p, 'inventory:transfer', { storeId: b.fromLocationId }) &&
        !can(p, 'inventory:transfer', { storeId: b.toLocationId })
      ) {
        throw new ForbiddenError(
          `${p.role} ${p.sub} may not transfer between ${b.fromLocationId} and ${b.toLocationId}`,
        );
      }
      const { transfer, created } = await inventory.requestTransfer({
        ...(b.transferId ? { transferId: b.transferId } : {}),
        fromLocationId: b.fromLocationId,
        toLocationId: b.toLocationId,
        lines: b.lines,
        ...(b.note ? { note: b.note } : {}),
        actor: actorOf(req),
      });
      if (created) reply.code(201).header('location', `/v1/transfers/${transfer._id}`);
      return transferView(transfer);
    },
  );

  app.get(
    '/v1/transfers/:transferId',
    { config: { permission: 'inventory:read' }, schema: { params: Params } },
    async (req) => {
      return transferView(await inventory.getTransfer(req.params.transferId));
    },
  );

  // Scoped by the transfer's locations, so authentication comes first and the scope check after lookup.
  app.post(
    '/v1/transfers/:transferId/ship',
    {
      schema: {
        description: 'Requires `inventory:transfer` at the source.',
        security: [{ bearerAuth: [] }],
        params: Params,
      },
    },
    async (req) => {
      principalOf(req);
      const transfer = await inventory.getTransfer(req.params.transferId);
      svc.authorize(req, 'inventory:transfer', { storeId: transfer.fromLocationId });
      return transferView(await inventory.shipTransfer(transfer._id, actorOf(req)));
    },
  );

  app.post(
    '/v1/transfers/:transferId/receive',
    { schema: { params: Params, body: ReceiveTransferBody } },
    async (req) => {
      principalOf(req);
      const transfer = await inventory.getTransfer(req.params.transferId);
      svc.authorize(req, 'pos:sync', { storeId: transfer.toLocationId });
      return transferView(await inventory.receiveTransfer(transfer._id, req.body.lines, actorOf(req)));
    },
  );
}
