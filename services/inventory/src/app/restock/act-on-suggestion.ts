import { scopeFilter } from '../queries/stock-query';
import { ConflictError, withCursor } from '@omni/kit';
import { newId, type Filter, type Page } from '@omni/store';
import type { PurchaseOrderDoc, SuggestionDoc } from '../../domain/purchasing';
import type { TransferDoc } from '../../domain/types';
import { auditMeta, type Audited, type InventoryContext, type Tx } from '../context';
import { createPurchaseOrderIn, placePurchaseOrderIn } from '../purchasing/purchase-orders';
import { requestTransferIn } from '../request-transfer';
import { inTransaction } from '../transaction';
import { closeSuggestion, suggestionIn, unknownSuggestion } from './suggestions';

export interface ActOptions extends Audited {
  /** Override the suggested quantity. */
  qty?: number;
  /** Transfers: another source than the suggested one. */
  fromLocationId?: string;
  /** Purchase orders: another supplier than the SKU's; `place` sends it at once (else a draft). */
  supplierId?: string;
  place?: boolean;
  note?: string;
}

/**
 * One call turns an open suggestion into a transfer request (a draft: nothing moves until the
 * source ships) from the suggested source, in the transaction that closes the suggestion.
 */
export async function suggestionToTransfer(
  ctx: InventoryContext,
  suggestionId: string,
  opts: ActOptions,
): Promise<{ suggestion: SuggestionDoc; transfer: TransferDoc }> {
  return inTransaction(ctx, (tx) => suggestionToTransferIn(tx, suggestionId, opts));
}

export async function suggestionToTransferIn(
  tx: Tx,
  suggestionId: string,
  opts: ActOptions,
): Promise<{ suggestion: SuggestionDoc; transfer: TransferDoc }> {
  const s = await suggestionIn(tx, suggestionId);
  if (s.status !== 'open')
    throw new ConflictError('suggestion-not-open', `suggestion ${s._id} was already ${s.status}`);
  const from = opts.fromLocationId ?? s.suggestedSourceLocationId;
  if (!from)
    throw new ConflictError(
      'no-transfer-source',
      `no location has a surplus of ${s.sku}: order it from a supplier`,
    );
  if (from === s.locationId)
    throw new ConflictError(
      'no-transfer-source',
      'a transfer needs a source other than the suggestion location',
    );
  const transferId = newId();
  const { transfer } = await requestTransferIn(tx, {
    transferId,
    fromLocationId: from,
    toLocationId: s.locationId,
    lines: [{ sku: s.sku, qty: opts.qty ?? s.suggestedQty }],
    note: opts.note ?? `restock suggestion ${s._id}`,
    ...auditMeta(opts),
  });
  const suggestion = await closeSuggestion(tx, s, 'transferred', opts.actor, {
    result: { type: 'transfer', id: transferId },
  });
  return { suggestion, transfer };
}

/**
 * One call turns an open suggestion into a purchase order to the SKU's supplier (or the one named),
 * a draft unless `place`, in the transaction that closes the suggestion.
 */
export async function suggestionToPurchaseOrder(
  ctx: InventoryContext,
  suggestionId: string,
  opts: ActOptions,
): Promise<{ suggestion: SuggestionDoc; purchaseOrder: PurchaseOrderDoc }> {
  return inTransaction(ctx, (tx) => suggestionToPurchaseOrderIn(tx, suggestionId, opts));
}

export async function suggestionToPurchaseOrderIn(
  tx: Tx,
  suggestionId: string,
  opts: ActOptions,
): Promise<{ suggestion: SuggestionDoc; purchaseOrder: PurchaseOrderDoc }> {
  const s = await suggestionIn(tx, suggestionId);
  if (s.status !== 'open')
    throw new ConflictError('suggestion-not-open', `suggestion ${s._id} was already ${s.status}`);
  const skuSupplier = await tx.ctx.collections.skuSuppliers.findById(s.sku, { session: tx.session });
  const supplierId = opts.supplierId ?? skuSupplier?.supplierId;
  if (!supplierId) throw new ConflictError('no-supplier', `${s.sku} has no supplier: name one (supplierId)`);
  const purchaseOrderId = newId();
  const { order } = await createPurchaseOrderIn(tx, {
    purchaseOrderId,
    supplierId,
    locationId: s.locationId,
    lines: [{ sku: s.sku, qty: opts.qty ?? s.suggestedQty }],
    suggestionId: s._id,
    ...(opts.note ? { note: opts.note } : {}),
    ...auditMeta(opts),
  });
  const purchaseOrder = opts.place ? await placePurchaseOrderIn(tx, order._id, undefined, opts) : order;
  const suggestion = await closeSuggestion(tx, s, 'ordered', opts.actor, {
    result: { type: 'purchase-order', id: purchaseOrderId },
  });
  return { suggestion, purchaseOrder };
}

/** The manager decides not to restock (audited). */
export async function dismissSuggestion(
  ctx: InventoryContext,
  suggestionId: string,
  reason: string,
  by: Audited,
): Promise<SuggestionDoc> {
  return inTransaction(ctx, async (tx) => {
    const s = await suggestionIn(tx, suggestionId);
    const closed = await closeSuggestion(tx, s, 'dismissed', by.actor, { dismissReason: reason });
    await ctx.audit(
      {
        ...auditMeta(by),
        action: 'restock-suggestion.dismissed',
        target: { type: 'restock-suggestion', id: s._id },
        details: { reason },
      },
      tx.session,
    );
    return closed;
  });
}

export async function getSuggestion(ctx: InventoryContext, id: string): Promise<SuggestionDoc> {
  const s = await ctx.collections.suggestions.findById(id);
  if (!s) throw unknownSuggestion(id);
  return s;
}

export async function listSuggestions(
  ctx: InventoryContext,
  q: { locationIds?: readonly string[]; locationId?: string; status?: SuggestionDoc['status']; sku?: string },
  page: { limit: number; cursor?: string },
): Promise<Page<SuggestionDoc>> {
  const filter: Filter = scopeFilter(q);
  if (q.status) filter.status = q.status;
  if (q.sku) filter.sku = q.sku;
  return withCursor(() =>
    ctx.collections.suggestions.page(filter, {
      limit: page.limit,
      cursor: page.cursor ?? null,
      direction: -1,
    }),
  );
}
