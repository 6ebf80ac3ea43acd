import { BadRequestError, ConflictError } from '@omni/kit';
import { TransferRequested } from '@omni/contracts';
import { isDuplicateKeyError, newId } from '@omni/store';
import { normaliseLines, sameLines } from '../domain/lines';
import type { Actor, Line, TransferDoc } from '../domain/types';
import { validateLines } from '../domain/validation';
import { auditMeta, type InventoryContext, type Tx } from './context';
import { unknownLocation } from './errors';
import { inTransaction } from './transaction';

export interface RequestTransferCommand {
  /** Client-chosen for idempotent retries; generated when absent. */
  transferId?: string;
  fromLocationId: string;
  toLocationId: string;
  lines: Line[];
  note?: string;
  actor: Actor;
  ip?: string;
  requestId?: string;
}

/** Asks for stock to move between two locations. Nothing moves until the source ships. */
export async function requestTransfer(
  ctx: InventoryContext,
  cmd: RequestTransferCommand,
): Promise<{ transfer: TransferDoc; created: boolean }> {
  validateLines(cmd.lines);
  if (cmd.fromLocationId === cmd.toLocationId) {
    throw new BadRequestError('a transfer needs two different locations', [
      { field: 'toLocationId', message: 'must differ from fromLocationId' },
    ]);
  }
  const lines = normaliseLines(cmd.lines);
  const transferId = cmd.transferId ?? newId();
  try {
    return await inTransaction(ctx, (tx) => requestTransferIn(tx, { ...cmd, transferId, lines }));
  } catch (err) {
    if (isDuplicateKeyError(err))
      throw new ConflictError(
        'transfer-id-conflict',
        `transfer ${transferId} was created concurrently; retry`,
      );
    throw err;
  }
}

/**
 * The request inside a caller's transaction (a restock suggestion becomes a transfer in the same
 * transaction that closes it). `lines` must be normalised and `transferId` set.
 */
export async function requestTransferIn(
  tx: Tx,
  cmd: RequestTransferCommand & { transferId: string },
): Promise<{ transfer: TransferDoc; created: boolean }> {
  const { ctx } = tx;
  const { transferId, lines } = cmd;
  const { transfers, locations } = ctx.collections;
  const existing = await transfers.findById(transferId, { session: tx.session });
  if (existing) {
    const same =
      existing.fromLocationId === cmd.fromLocationId &&
      existing.toLocationId === cmd.toLocationId &&
      sameLines(existing.lines, lines);
    if (!same)
      throw new ConflictError('transfer-id-conflict', `transfer ${transferId} exists with other content`);
    return { transfer: existing, created: false };
  }
  for (const id of [cmd.fromLocationId, cmd.toLocationId]) {
    if (!(await locations.findById(id, { session: tx.session }))) throw unknownLocation(id);
  }
  const transfer: TransferDoc = {
    _id: transferId,
    fromLocationId: cmd.fromLocationId,
    toLocationId: cmd.toLocationId,
    lines,
    status: 'requested',
    ...(cmd.note ? { note: cmd.note } : {}),
    requestedBy: cmd.actor,
    requestedAt: tx.nowIso,
  };
  await transfers.insertOne(transfer, { session: tx.session });
  await tx.publish(TransferRequested, transferId, {
    transferId,
    fromLocationId: transfer.fromLocationId,
    toLocationId: transfer.toLocationId,
    lines,
    actor: cmd.actor,
  });
  await ctx.audit(
    {
      ...auditMeta(cmd),
      action: 'transfer.requested',
      target: { type: 'transfer', id: transferId },
      details: { fromLocationId: cmd.fromLocationId, toLocationId: cmd.toLocationId, lines },
    },
    tx.session,
  );
  return { transfer, created: true };
}
