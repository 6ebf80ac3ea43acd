import { SupplierReturnSent } from '@omni/contracts';
import { BadRequestError, ConflictError } from '@omni/kit';

import { auditMeta, type Audited, type InventoryContext } from '../context';
import { insufficientStock } from '../errors';
import { recordedResult, recordResult } from '../operations';
import { applyStockChange } from '../stock-ledger';
import { inTransaction } from '../transaction';
import { unknownPurchaseOrder } from './purchase-orders';

export interface SupplierReturnLine {
  sku: string;
  qty: number;
  /** `rejected`: quarantined units refused at QC (never stocked); `stock`: accepted units taken back out. */
  from: 'rejected' | 'stock';
}

export interface SupplierReturnCommand extends Audited {
  returnId: string;
  purchaseOrderId: string;
  lines: SupplierReturnLine[];
  note?: string;
}

export interface SupplierReturnResult {
  returnId: string;
  purchaseOrderId: string;
  supplierId: string;
  locationId: string;
  lines: SupplierReturnLine[];
  [k: string]: unknown;
}

/**
 * Goods back to the supplier, against the purchase order they came with: one `supplier-return`
 * movement per line with the order as its reference. Quarantined units leave without changing
 * on-hand (they were never stocked); units from stock leave on-hand, guarded on available (promised
 * units stay). At most what was rejected / accepted on the order goes back. Audited; idempotent
 * by returnId.
 */
export async function returnToSupplier(
  ctx: InventoryContext,
  cmd: SupplierReturnCommand,
): Promise<SupplierReturnResult> {
  const seen = new Set<string>();
  for (const [i, l] of cmd.lines.entries()) {
    const key = `${l.sku}|${l.from}`;
    if (seen.has(key))
      throw new BadRequestError('a SKU appears twice with the same source', [
        { field: `lines/${i}`, message: 'one line per sku and source' },
      ]);
    seen.add(key);
  }
  return inTransaction(ctx, async (tx) => {
    const { purchaseOrders } = ctx.collections;
    const order = await purchaseOrders.findById(cmd.purchaseOrderId, { session: tx.session });
    if (!order) throw unknownPurchaseOrder(cmd.purchaseOrderId);
    const rec = await recordedResult(tx, 'supplier-return', order.locationId, cmd.returnId, [
      cmd.purchaseOrderId,
      cmd.lines,
    ]);
    if (rec.previous) return rec.previous as SupplierReturnResult;
    const lines = order.lines.map((l) => ({ ...l }));
    for (const [i, ret] of cmd.lines.entries()) {
      const line = lines.find((l) => l.sku === ret.sku);
      const left =
        line === undefined
          ? 0
          : ret.from === 'rejected'
            ? line.rejectedQty - line.returnedQty
            : line.acceptedQty - line.returnedFromStockQty;
      if (!line || ret.qty > left)
        throw new ConflictError(
          'return-exceeds-order',
          `only ${left} ${ret.from} unit(s) of ${ret.sku} can go back on purchase order ${order._id}`,
        );
      if (ret.from === 'rejected') line.returnedQty += ret.qty;
      else line.returnedFromStockQty += ret.qty;
      const level = await applyStockChange(tx, {
        sku: ret.sku,
        locationId: order.locationId,
        reason: 'supplier-return',
        qty: ret.qty,
        ...(ret.from === 'stock' ? { onHandDelta: -ret.qty, guard: 'available' as const } : {}),
        opId: `sret|${order._id}|${cmd.returnId}|${i}`,
        actor: cmd.actor,
        ref: { type: 'purchase-order', id: order._id },
        note: cmd.note ?? `returned to supplier ${order.supplierId} (${ret.from})`,
      });
      if (!level) throw await insufficientStock(tx, { sku: ret.sku, qty: ret.qty }, order.locationId);
    }
    const updated = await purchaseOrders.findOneAndUpdate(
      { _id: order._id, version: order.version },
      { $set: { lines }, $inc: { version: 1 } },
      { session: tx.session },
    );
    if (!updated)
      throw new ConflictError(
        'purchase-order-changed',
        `purchase order ${order._id} changed concurrently; retry`,
      );
    const out: SupplierReturnResult = {
      returnId: cmd.returnId,
      purchaseOrderId: order._id,
      supplierId: order.supplierId,
      locationId: order.locationId,
      lines: cmd.lines,
    };
    await tx.publish(SupplierReturnSent, order._id, {
      purchaseOrderId: order._id,
      returnId: cmd.returnId,
      supplierId: order.supplierId,
      locationId: order.locationId,
      lines: cmd.lines,
      actor: cmd.actor,
    });
    await ctx.audit(
      {
        ...auditMeta(cmd),
        action: 'purchase-order.returned',
        target: { type: 'purchase-order', id: order._id },
        details: { returnId: cmd.returnId, lines: cmd.lines },
      },
      tx.session,
    );
    await recordResult(tx, rec, 'supplier-return', order.locationId, out, cmd.actor);
    return out;
  });
}
