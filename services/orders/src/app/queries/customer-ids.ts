import type { Session } from '@omni/store';
import type { OrdersContext } from '../context';

/**
 * The ids whose orders belong to this customer: the surviving record the id leads to (following
 * merges) and every record merged into it. Orders are re-pointed on merge too; querying by the whole
 * set also covers an order placed with the old id while the merge was being applied.
 */
export async function customerIdsOf(
  ctx: Pick<OrdersContext, 'collections'>,
  customerId: string,
): Promise<string[]> {
  const survivor = await survivorOf(ctx, customerId);
  const merged = await ctx.collections.customerMerges.find({ survivorId: survivor }, { limit: 1000 });
  return [survivor, ...merged.map((m) => m._id).filter((id) => id !== survivor)];
}

export async function survivorOf(
  ctx: Pick<OrdersContext, 'collections'>,
  customerId: string,
  session?: Session,
): Promise<string> {
  let id = customerId;
  // Chains are flattened when merges are applied; the bound only guards against a cycle in bad data.
  for (let i = 0; i < 16; i++) {
    const m = await ctx.collections.customerMerges.findById(id, session ? { session } : {});
    if (!m || m.survivorId === id) return id;
    id = m.survivorId;
  }
  return id;
}
