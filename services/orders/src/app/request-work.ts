import type { Session } from '@omni/store';
import { queued } from '../domain/order-changes';
import type { OrderDoc, WorkflowName, WorkflowParams } from '../domain/types';
import type { OrdersContext } from './context';

export interface WorkRequest {
  workflow: WorkflowName;
  key: string;
  params: WorkflowParams;
}

/**
 * Queues a workflow on an order if `guard` accepts the order as it is now (true, or why not). Inside
 * the caller's transaction when given (event handlers); the runner is kicked after. Returns the guard's
 * verdict, 'duplicate' when the same work was already queued, or null for an unknown order.
 */
export async function requestWork(
  ctx: OrdersContext,
  orderId: string,
  guard: (o: OrderDoc) => true | string,
  build: (o: OrderDoc) => WorkRequest,
  session?: Session,
): Promise<true | string | null> {
  const result: { verdict: true | string | null } = { verdict: null };
  await ctx.repo.update(
    orderId,
    (o) => {
      result.verdict = guard(o);
      if (result.verdict !== true) return null;
      const next = queued(o, { ...build(o), requestedAt: ctx.env.clock().toISOString() });
      if (!next) {
        result.verdict = 'duplicate';
        return null;
      }
      return { order: next };
    },
    session,
  );
  if (result.verdict === true) ctx.runner.kick(orderId);
  return result.verdict;
}

/** Waits until the order has no work left (or `ms` passed), then returns it as stored. */
export async function settle(ctx: OrdersContext, orderId: string, ms: number): Promise<OrderDoc | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = ctx.runner.drive(orderId);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      run,
      new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
    const o = await ctx.repo.get(orderId);
    if (!o || !o.active || Date.now() >= deadline || ctx.runner.stopped) return o;
    // Still active: a lease held elsewhere or a backoff; look again shortly.
    await new Promise((r) => setTimeout(r, Math.min(50, Math.max(0, deadline - Date.now()))));
  }
}
