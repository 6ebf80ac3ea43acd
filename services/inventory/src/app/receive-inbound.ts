import { BadRequestError } from '@omni/kit';
import type { Actor } from '../domain/types';
import { SKU_PATTERN } from '../domain/validation';
import type { InventoryContext } from './context';
import { unknownLocation } from './errors';
import { assertKnownSkus } from './known-skus';
import { recordedResult, recordResult } from './operations';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';
import { receiveAgainstOrder, type ReceiptMatch } from './purchasing/receive-against-order';

export interface InboundLine {
  sku: string;
  acceptedQty: number;
  rejectedQty: number;
  rejectReason?: string;
}

export interface InboundReceiptCommand {
  receiptId: string;
  locationId: string;
  lines: InboundLine[];
  supplierRef?: string;
  /** The purchase order this delivery is matched against (over/under/wrong item flagged). */
  purchaseOrderId?: string;
  actor: Actor;
  /**
   * The seed declares the SKUs it stocks (catalog's events may not have reached inventory yet);
   * every other receipt takes only SKUs catalog announced or that are stocked somewhere.
   */
  anySku?: boolean;
}

export interface InboundReceiptResult {
  receiptId: string;
  locationId: string;
  acceptedTotal: number;
  rejectedTotal: number;
  lines: InboundLine[];
  /** Present when the receipt named a purchase order. */
  match?: ReceiptMatch;
  [k: string]: unknown;
}

/**
 * Goods in, after quality control: accepted units are a `receipt` movement (onHand up); rejected
 * units are a `qc-fail` movement that records them without adding stock (they wait in quarantine to
 * go back to the supplier). With a purchase order the delivery is matched against it in the same
 * transaction. Idempotent by receipt id.
 */
export async function receiveInbound(
  ctx: InventoryContext,
  cmd: InboundReceiptCommand,
): Promise<InboundReceiptResult> {
  const bad = cmd.lines.flatMap((l, i) =>
    !SKU_PATTERN.test(l.sku) || l.acceptedQty < 0 || l.rejectedQty < 0 || l.acceptedQty + l.rejectedQty === 0
      ? [{ field: `lines/${i}`, message: 'needs a valid sku and accepted + rejected > 0' }]
      : [],
  );
  if (cmd.lines.length === 0 || bad.length > 0)
    throw new BadRequestError('The receipt lines are not valid', bad);
  return inTransaction(ctx, async (tx) => {
    const rec = await recordedResult(tx, 'receipt', cmd.locationId, cmd.receiptId, [
      cmd.lines,
      cmd.supplierRef ?? null,
      cmd.purchaseOrderId ?? null,
    ]);
    if (rec.previous) return rec.previous as InboundReceiptResult;
    const location = await ctx.collections.locations.findById(cmd.locationId, { session: tx.session });
    if (!location) throw unknownLocation(cmd.locationId);
    if (cmd.anySku !== true)
      await assertKnownSkus(
        tx,
        cmd.lines.map((l) => l.sku),
      );
    const match = cmd.purchaseOrderId ? await receiveAgainstOrder(tx, cmd.purchaseOrderId, cmd) : undefined;
    // Goods against an order point at the order (supplier returns and performance follow it).
    const ref = cmd.purchaseOrderId
      ? { type: 'purchase-order', id: cmd.purchaseOrderId }
      : { type: 'receipt', id: cmd.receiptId };
    for (const [i, line] of cmd.lines.entries()) {
      const base = { sku: line.sku, locationId: cmd.locationId, actor: cmd.actor, ref, createLevel: true };
      if (line.acceptedQty > 0) {
        await applyStockChange(tx, {
          ...base,
          reason: 'receipt',
          onHandDelta: line.acceptedQty,
          opId: `rcpt|${cmd.locationId}|${cmd.receiptId}|${i}|accepted`,
          ...(cmd.supplierRef || cmd.purchaseOrderId
            ? {
                note: [
                  cmd.supplierRef && `supplier ${cmd.supplierRef}`,
                  cmd.purchaseOrderId && `receipt ${cmd.receiptId}`,
                ]
                  .filter(Boolean)
                  .join(', '),
              }
            : {}),
        });
      }
      if (line.rejectedQty > 0) {
        await applyStockChange(tx, {
          ...base,
          reason: 'qc-fail',
          qty: line.rejectedQty,
          opId: `rcpt|${cmd.locationId}|${cmd.receiptId}|${i}|rejected`,
          note: line.rejectReason ?? 'rejected at quality control',
        });
      }
    }
    const out: InboundReceiptResult = {
      receiptId: cmd.receiptId,
      locationId: cmd.locationId,
      acceptedTotal: cmd.lines.reduce((s, l) => s + l.acceptedQty, 0),
      rejectedTotal: cmd.lines.reduce((s, l) => s + l.rejectedQty, 0),
      lines: cmd.lines,
      ...(match ? { match } : {}),
    };
    await recordResult(tx, rec, 'receipt', cmd.locationId, out, cmd.actor);
    return out;
  });
}
