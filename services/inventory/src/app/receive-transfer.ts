import { BadRequestError, ConflictError, NotFoundError } from '@omni/kit';
import { TransferReceived } from '@omni/contracts';
import type { Line, TransferDoc, TransferLine } from '../domain/types';
import { auditMeta, type Audited, type InventoryContext } from './context';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

/**
 * The destination receives what actually arrived (default: everything shipped): transfer-in
 * movements for the received units, and the difference to what was shipped recorded as a
 * discrepancy on the transfer and in its event; audited. Receiving again returns the received transfer.
 */
export async function receiveTransfer(
  ctx: InventoryContext,
  transferId: string,
  received: Array<{ sku: string; receivedQty: number }> | undefined,
  by: Audited,
): Promise<TransferDoc> {
  const { actor } = by;
  const { transfers } = ctx.collections;
  return inTransaction(ctx, async (tx) => {
    const transfer = await transfers.findById(transferId, { session: tx.session });
    if (!transfer) throw new NotFoundError('transfer', transferId, 'unknown-transfer');
    if (transfer.status === 'received') return transfer;
    if (transfer.status !== 'shipped')
      throw new ConflictError('transfer-not-shipped', `transfer ${transferId} has not been shipped`);
    const given = new Map((received ?? []).map((r) => [r.sku, r.receivedQty]));
    const unknown = [...given.keys()].filter((sku) => !transfer.lines.some((l) => l.sku === sku));
    if (unknown.length > 0) {
      throw new BadRequestError(
        'received SKUs that were not shipped',
        unknown.map((sku) => ({ field: 'lines', message: `${sku} is not in the transfer` })),
      );
    }
    const lines: TransferLine[] = transfer.lines.map((l) => ({
      sku: l.sku,
      qty: l.qty,
      receivedQty: given.get(l.sku) ?? l.qty,
    }));
    const discrepancies: Line[] = lines
      .filter((l) => l.receivedQty !== l.qty)
      .map((l) => ({ sku: l.sku, qty: l.qty - l.receivedQty! }));
    const updated = await transfers.findOneAndUpdate(
      { _id: transferId, status: 'shipped' },
      {
        $set: {
          status: 'received',
          receivedAt: tx.nowIso,
          lines,
          ...(discrepancies.length ? { discrepancies } : {}),
        },
      },
      { session: tx.session },
    );
    if (!updated)
      throw new ConflictError('transfer-changed', `transfer ${transferId} changed concurrently; retry`);
    for (const line of lines) {
      if (!line.receivedQty) continue;
      await applyStockChange(tx, {
        sku: line.sku,
        locationId: transfer.toLocationId,
        reason: 'transfer-in',
        onHandDelta: line.receivedQty,
        opId: `trf|${transferId}|in|${line.sku}`,
        actor,
        ref: { type: 'transfer', id: transferId },
        ...(line.receivedQty !== line.qty
          ? { note: `shipped ${line.qty}, received ${line.receivedQty}` }
          : {}),
        createLevel: true,
      });
    }
    await tx.publish(TransferReceived, transferId, {
      transferId,
      fromLocationId: transfer.fromLocationId,
      toLocationId: transfer.toLocationId,
      lines,
      actor,
    });
    await ctx.audit(
      {
        ...auditMeta(by),
        action: 'transfer.received',
        target: { type: 'transfer', id: transferId },
        details: {
          toLocationId: transfer.toLocationId,
          lines,
          ...(discrepancies.length ? { discrepancies } : {}),
        },
      },
      tx.session,
    );
    return updated;
  });
}
