import { scopeFilter } from '../queries/stock-query';
import { PurchaseOrderPlaced } from '@omni/contracts';
import { BadRequestError, ConflictError, NotFoundError, withCursor } from '@omni/kit';
import { newId, type Filter, type Page } from '@omni/store';
import { normaliseLines } from '../../domain/lines';
import type { PurchaseOrderDoc } from '../../domain/purchasing';
import type { Line } from '../../domain/types';
import { validateLines } from '../../domain/validation';
import { auditMeta, type Audited, type InventoryContext, type Tx } from '../context';
import { unknownLocation } from '../errors';
import { unknownSupplier } from './suppliers';

export const unknownPurchaseOrder = (id: string) =>
  new NotFoundError('purchase order', id, 'unknown-purchase-order');

export interface CreatePurchaseOrderCommand extends Audited {
  purchaseOrderId?: string;
  supplierId: string;
  locationId: string;
  lines: Line[];
  note?: string;
  suggestionId?: string;
}

const DAY_MS = 86_400_000;

/** A draft order inside the caller's transaction (audited). */
export async function createPurchaseOrderIn(
  tx: Tx,
  cmd: CreatePurchaseOrderCommand,
): Promise<{ order: PurchaseOrderDoc; created: boolean }> {
  validateLines(cmd.lines);
  const { purchaseOrders, suppliers, locations } = tx.ctx.collections;
  const lines = normaliseLines(cmd.lines);
  const id = cmd.purchaseOrderId ?? newId();
  const existing = await purchaseOrders.findById(id, { session: tx.session });
  if (existing) {
    const same =
      existing.supplierId === cmd.supplierId &&
      existing.locationId === cmd.locationId &&
      JSON.stringify(existing.lines.filter((l) => !l.unordered).map((l) => [l.sku, l.qty])) ===
        JSON.stringify(lines.map((l) => [l.sku, l.qty]));
    if (!same)
      throw new ConflictError('purchase-order-id-conflict', `purchase order ${id} exists with other content`);
    return { order: existing, created: false };
  }
  if (!(await suppliers.findById(cmd.supplierId, { session: tx.session })))
    throw unknownSupplier(cmd.supplierId);
  if (!(await locations.findById(cmd.locationId, { session: tx.session })))
    throw unknownLocation(cmd.locationId);
  const order: PurchaseOrderDoc = {
    _id: id,
    supplierId: cmd.supplierId,
    locationId: cmd.locationId,
    status: 'draft',
    lines: lines.map((l) => ({
      sku: l.sku,
      qty: l.qty,
      acceptedQty: 0,
      rejectedQty: 0,
      returnedQty: 0,
      returnedFromStockQty: 0,
    })),
    ...(cmd.note ? { note: cmd.note } : {}),
    ...(cmd.suggestionId ? { suggestionId: cmd.suggestionId } : {}),
    createdBy: cmd.actor,
    createdAt: tx.nowIso,
    receipts: [],
    version: 1,
  };
  await purchaseOrders.insertOne(order, { session: tx.session });
  await tx.ctx.audit(
    {
      ...auditMeta(cmd),
      action: 'purchase-order.created',
      target: { type: 'purchase-order', id },
      details: { supplierId: cmd.supplierId, locationId: cmd.locationId, lines },
    },
    tx.session,
  );
  return { order, created: true };
}

/**
 * Sends a draft to the supplier: the expected date is the caller's, or today plus the supplier's
 * lead time. Placing a placed order again returns it.
 */
export async function placePurchaseOrderIn(
  tx: Tx,
  id: string,
  expectedAt: string | undefined,
  by: Audited,
): Promise<PurchaseOrderDoc> {
  const { purchaseOrders, suppliers } = tx.ctx.collections;
  const order = await purchaseOrders.findById(id, { session: tx.session });
  if (!order) throw unknownPurchaseOrder(id);
  if (order.status !== 'draft') {
    if (order.status === 'cancelled')
      throw new ConflictError('purchase-order-cancelled', `purchase order ${id} is cancelled`);
    return order;
  }
  const supplier = await suppliers.findById(order.supplierId, { session: tx.session });
  const expected =
    expectedAt ?? new Date(tx.now.getTime() + (supplier?.leadTimeDays ?? 0) * DAY_MS).toISOString();
  if (Date.parse(expected) < tx.now.getTime())
    throw new BadRequestError('expectedAt is in the past', [
      { field: 'expectedAt', message: 'must not be in the past' },
    ]);
  const placed = await purchaseOrders.findOneAndUpdate(
    { _id: id, version: order.version },
    { $set: { status: 'placed', placedAt: tx.nowIso, expectedAt: expected }, $inc: { version: 1 } },
    { session: tx.session },
  );
  if (!placed)
    throw new ConflictError('purchase-order-changed', `purchase order ${id} changed concurrently; retry`);
  await tx.publish(PurchaseOrderPlaced, id, {
    purchaseOrderId: id,
    supplierId: placed.supplierId,
    locationId: placed.locationId,
    lines: placed.lines.filter((l) => !l.unordered).map((l) => ({ sku: l.sku, qty: l.qty })),
    expectedAt: expected,
    actor: by.actor,
  });
  await tx.ctx.audit(
    {
      ...auditMeta(by),
      action: 'purchase-order.placed',
      target: { type: 'purchase-order', id },
      details: { expectedAt: expected },
    },
    tx.session,
  );
  return placed;
}

/** Cancels an order nothing has arrived against yet (audited). */
export async function cancelPurchaseOrderIn(tx: Tx, id: string, reason: string | undefined, by: Audited) {
  const { purchaseOrders } = tx.ctx.collections;
  const order = await purchaseOrders.findById(id, { session: tx.session });
  if (!order) throw unknownPurchaseOrder(id);
  if (order.status === 'cancelled') return order;
  if (order.status !== 'draft' && order.status !== 'placed')
    throw new ConflictError('purchase-order-received', `goods have arrived against purchase order ${id}`);
  const cancelled = await purchaseOrders.findOneAndUpdate(
    { _id: id, version: order.version },
    { $set: { status: 'cancelled', cancelledAt: tx.nowIso }, $inc: { version: 1 } },
    { session: tx.session },
  );
  if (!cancelled)
    throw new ConflictError('purchase-order-changed', `purchase order ${id} changed concurrently; retry`);
  await tx.ctx.audit(
    {
      ...auditMeta(by),
      action: 'purchase-order.cancelled',
      target: { type: 'purchase-order', id },
      details: reason ? { reason } : {},
    },
    tx.session,
  );
  return cancelled;
}

export async function getPurchaseOrder(ctx: InventoryContext, id: string): Promise<PurchaseOrderDoc> {
  const order = await ctx.collections.purchaseOrders.findById(id);
  if (!order) throw unknownPurchaseOrder(id);
  return order;
}

export interface PurchaseOrderQuery {
  /** Only these locations (the caller's); absent = all. */
  locationIds?: readonly string[];
  locationId?: string;
  supplierId?: string;
  status?: PurchaseOrderDoc['status'];
}

export async function listPurchaseOrders(
  ctx: InventoryContext,
  q: PurchaseOrderQuery,
  page: { limit: number; cursor?: string },
): Promise<Page<PurchaseOrderDoc>> {
  const filter: Filter = scopeFilter(q);
  if (q.supplierId) filter.supplierId = q.supplierId;
  if (q.status) filter.status = q.status;
  return withCursor(() =>
    ctx.collections.purchaseOrders.page(filter, {
      limit: page.limit,
      cursor: page.cursor ?? null,
      direction: -1,
    }),
  );
}
