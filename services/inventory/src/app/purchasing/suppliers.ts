import { withCursor } from '@omni/kit';
import { NotFoundError } from '@omni/kit';
import type { Page } from '@omni/store';
import { supplierPerformance, type SupplierDoc, type SupplierPerformance } from '../../domain/purchasing';
import { auditMeta, type Audited, type InventoryContext } from '../context';

export interface SupplierInput {
  name: string;
  leadTimeDays: number;
  email?: string;
  skus: string[];
}

export const unknownSupplier = (id: string) => new NotFoundError('supplier', id, 'unknown-supplier');

/**
 * Creates or replaces a supplier (audited). The SKUs it names get it as their supplier; SKUs it no
 * longer names lose it (a SKU has one supplier: the last one to name it).
 */
export async function putSupplier(
  ctx: InventoryContext,
  id: string,
  input: SupplierInput,
  by: Audited,
): Promise<{ supplier: SupplierDoc; created: boolean }> {
  const { suppliers, skuSuppliers } = ctx.collections;
  const skus = [...new Set(input.skus)].sort();
  return ctx.store.withTransaction(async (session) => {
    const now = ctx.clock().toISOString();
    const existing = await suppliers.findById(id, { session });
    const supplier: SupplierDoc = {
      _id: id,
      name: input.name,
      leadTimeDays: input.leadTimeDays,
      ...(input.email ? { email: input.email } : {}),
      skus,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await suppliers.replaceOne({ _id: id }, supplier, { session, upsert: true });
    const keep = new Set(skus);
    for (const row of await skuSuppliers.find({ supplierId: id }, { session }))
      if (!keep.has(row._id)) await skuSuppliers.deleteOne({ _id: row._id, supplierId: id }, { session });
    for (const sku of skus)
      await skuSuppliers.replaceOne({ _id: sku }, { _id: sku, supplierId: id }, { session, upsert: true });
    await ctx.audit(
      {
        ...auditMeta(by),
        action: existing ? 'supplier.updated' : 'supplier.created',
        target: { type: 'supplier', id },
        details: { name: input.name, leadTimeDays: input.leadTimeDays, skus: skus.length },
      },
      session,
    );
    return { supplier, created: !existing };
  });
}

export async function getSupplier(ctx: InventoryContext, id: string): Promise<SupplierDoc> {
  const s = await ctx.collections.suppliers.findById(id);
  if (!s) throw unknownSupplier(id);
  return s;
}

export async function listSuppliers(
  ctx: InventoryContext,
  page: { limit: number; cursor?: string },
): Promise<Page<SupplierDoc>> {
  return withCursor(() =>
    ctx.collections.suppliers.page({}, { limit: page.limit, cursor: page.cursor ?? null }),
  );
}

/** Fill rate and lateness over every purchase order of the supplier, at the service clock's now. */
export async function getSupplierPerformance(
  ctx: InventoryContext,
  id: string,
): Promise<SupplierPerformance> {
  await getSupplier(ctx, id);
  const orders = await ctx.collections.purchaseOrders.find({ supplierId: id });
  return supplierPerformance(id, orders, ctx.clock());
}
