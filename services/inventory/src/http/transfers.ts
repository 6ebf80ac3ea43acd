import {
  type App,
  authorize,
  can,
  ForbiddenError,
  NotFoundError,
  type Principal,
  requirePrincipal,
} from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import type { TransferDoc } from '../domain/types';
import { auditedBy, mayReadAny } from './auth';
import { Id, ReceiveTransferBody, TransferBody } from './schemas';
import { transferView } from './views';

const Params = Type.Object({ transferId: Id });

/**
 * A transfer belongs to both of its ends: a caller bound to neither store gets the same 404 as for
 * a transfer that does not exist.
 */
async function visibleTransfer(
  inventory: InventoryApp,
  p: Principal,
  transferId: string,
): Promise<TransferDoc> {
  const transfer = await inventory.getTransfer(transferId);
  const ends = [transfer.fromLocationId, transfer.toLocationId];
  if (!mayReadAny(p, ['inventory:read', 'inventory:transfer', 'pos:sync'], ends))
    throw new NotFoundError('transfer', transferId, 'unknown-transfer');
  return transfer;
}

/**
 * Transfers between locations: managers of either end (or ops) request, the source ships
 * (inventory:transfer there), the destination's staff receive (pos:sync there). Only callers bound to
 * one of its ends see a transfer; every request, shipment and receipt is audited.
 */
export function registerTransferRoutes(app: App, inventory: InventoryApp): void {
  app.post(
    '/v1/transfers',
    { config: { permission: 'inventory:transfer' }, schema: { body: TransferBody } },
    async (req, reply) => {
      const b = req.body;
      const p = requirePrincipal(req);
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
        ...auditedBy(req),
      });
      if (created) reply.code(201).header('location', `/v1/transfers/${transfer._id}`);
      return transferView(transfer);
    },
  );

  app.get(
    '/v1/transfers/:transferId',
    { config: { permission: 'inventory:read' }, schema: { params: Params } },
    async (req) =>
      transferView(await visibleTransfer(inventory, requirePrincipal(req), req.params.transferId)),
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
      const transfer = await visibleTransfer(inventory, requirePrincipal(req), req.params.transferId);
      authorize(req.principal, 'inventory:transfer', { storeId: transfer.fromLocationId });
      return transferView(await inventory.shipTransfer(transfer._id, auditedBy(req)));
    },
  );

  app.post(
    '/v1/transfers/:transferId/receive',
    { schema: { params: Params, body: ReceiveTransferBody } },
    async (req) => {
      const transfer = await visibleTransfer(inventory, requirePrincipal(req), req.params.transferId);
      authorize(req.principal, 'pos:sync', { storeId: transfer.toLocationId });
      return transferView(await inventory.receiveTransfer(transfer._id, req.body.lines, auditedBy(req)));
    },
  );
}
