import { PurchaseOrderReceived } from '@omni/contracts';
import { ConflictError } from '@omni/kit';
import { matchDelivery, type PurchaseOrderDoc, type ReceiptMatchFlag } from '../../domain/purchasing';
import type { Line } from '../../domain/types';
import type { Tx } from '../context';
import { unknownPurchaseOrder } from './purchase-orders';

export interface ReceiptMatch {
  purchaseOrderId: string;
  status: PurchaseOrderDoc['status'];
  late: boolean;
  lines: Array<{ sku: string; acceptedQty: number; rejectedQty: number; flag: ReceiptMatchFlag }>;
  /** Ordered units still to come after this delivery. */
  outstanding: Line[];
}

/**
 * Books a delivery against its purchase order inside the receipt's transaction: each line is
 * flagged ok / over / wrong-item, what is still outstanding is listed (under), and the order
 * becomes partially-received or received. Guarded by the order's version.
 */
export async function receiveAgainstOrder(
  tx: Tx,
  purchaseOrderId: string,
  receipt: {
    receiptId: string;
    locationId: string;
    lines: Array<{ sku: string; acceptedQty: number; rejectedQty: number }>;
  },
): Promise<ReceiptMatch> {
  const { purchaseOrders } = tx.ctx.collections;
  const order = await purchaseOrders.findById(purchaseOrderId, { session: tx.session });
  // An order for another location is not this location's to receive: same answer as unknown.
  if (!order || order.locationId !== receipt.locationId) throw unknownPurchaseOrder(purchaseOrderId);
  if (order.status === 'draft' || order.status === 'cancelled')
    throw new ConflictError(
      'purchase-order-not-placed',
      `purchase order ${purchaseOrderId} is ${order.status}: nothing can be received against it`,
    );
  const { lines, matched, under } = matchDelivery(order.lines, receipt.lines);
  const late = order.expectedAt !== undefined && tx.now.getTime() > Date.parse(order.expectedAt);
  const complete = under.length === 0;
  const status = complete ? 'received' : 'partially-received';
  const updated = await purchaseOrders.findOneAndUpdate(
    { _id: order._id, version: order.version },
    {
      $set: {
        lines,
        status,
        ...(complete && !order.receivedAt ? { receivedAt: tx.nowIso } : {}),
      },
      $push: { receipts: { receiptId: receipt.receiptId, at: tx.nowIso, late, lines: matched } },
      $inc: { version: 1 },
    },
    { session: tx.session },
  );
  if (!updated)
    throw new ConflictError(
      'purchase-order-changed',
      `purchase order ${purchaseOrderId} changed concurrently; retry`,
    );
  await tx.publish(PurchaseOrderReceived, purchaseOrderId, {
    purchaseOrderId,
    receiptId: receipt.receiptId,
    supplierId: order.supplierId,
    locationId: order.locationId,
    status,
    late,
    lines: matched,
    outstanding: under,
  });
  return { purchaseOrderId, status, late, lines: matched, outstanding: under };
}
