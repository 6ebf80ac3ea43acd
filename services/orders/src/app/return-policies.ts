import { withCursor, type Principal } from '@omni/kit';
import type { Page } from '@omni/store';
import type { ReturnPolicyDoc } from '../store/collections';
import type { OrdersContext } from './context';

/** Sets how many days after completion a product may be returned (0: not returnable). Audited. */
export async function setReturnPolicy(
  ctx: OrdersContext,
  p: Principal,
  productId: string,
  windowDays: number,
): Promise<ReturnPolicyDoc> {
  const doc: ReturnPolicyDoc = {
    _id: productId,
    windowDays,
    updatedAt: ctx.env.clock().toISOString(),
    updatedBy: { sub: p.sub, role: p.role },
  };
  await ctx.svc.store.withTransaction(async (session) => {
    await ctx.collections.returnPolicies.replaceOne({ _id: productId }, doc, { session, upsert: true });
    await ctx.svc.audit.record(
      {
        actor: p,
        action: 'return-policy.set',
        target: { type: 'product', id: productId },
        details: { windowDays },
      },
      session,
    );
  });
  return doc;
}

export async function listReturnPolicies(
  ctx: OrdersContext,
  page: { limit: number; cursor?: string },
): Promise<Page<ReturnPolicyDoc>> {
  return withCursor(() =>
    ctx.collections.returnPolicies.page({}, { limit: page.limit, cursor: page.cursor ?? null }),
  );
}
