import { ConflictError, NotFoundError } from '@omni/kit';
import { TransferShipped } from '@omni/contracts';
import type { TransferDoc } from '../domain/types';
import { auditMeta, type Audited, type InventoryContext } from './context';
import { insufficientStock } from './errors';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

/**
 * The source ships: per line a guarded transfer-out movement (only available units leave; reserved
 * ones stay promised), all or nothing, audited. Shipping again returns the shipped transfer.
 */
export async function shipTransfer(
  ctx: InventoryContext,
  transferId: string,
  by: Audited,
): Promise<TransferDoc> {
  const { actor } = by;
  const { transfers } = ctx.collections;
  return inTransaction(ctx, async (tx) => {
    const transfer = await transfers.findById(transferId, { session: tx.session });
    if (!transfer) throw new NotFoundError('transfer', transferId, 'unknown-transfer');
    if (transfer.status !== 'requested') return transfer;
    const shipped = await transfers.findOneAndUpdate(
      { _id: transferId, status: 'requested' },
      { $set: { status: 'shipped', shippedAt: tx.nowIso } },
      { session: tx.session },
    );
    if (!shipped)
      throw new ConflictError('transfer-changed', `transfer ${transferId} changed concurrently; retry`);
    for (const line of transfer.lines) {
      const level = await applyStockChange(tx, {
        sku: line.sku,
        locationId: transfer.fromLocationId,
        reason: 'transfer-out',
        onHandDelta: -line.qty,
        opId: `trf|${transferId}|out|${line.sku}`,
        actor,
        ref: { type: 'transfer', id: transferId },
        guard: 'available',
      });
      if (!level) throw await insufficientStock(tx, line, transfer.fromLocationId);
    }
    await tx.publish(TransferShipped, transferId, {
      transferId,
      fromLocationId: transfer.fromLocationId,
      toLocationId: transfer.toLocationId,
      lines: transfer.lines,
      actor,
    });
    await ctx.audit(
      {
        ...auditMeta(by),
        action: 'transfer.shipped',
        target: { type: 'transfer', id: transferId },
        details: { fromLocationId: transfer.fromLocationId, lines: transfer.lines },
      },
      tx.session,
    );
    return shipped;
  });
}
