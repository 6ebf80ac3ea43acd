import type { Session } from '@omni/store';
import type { OrdersContext } from '../app/context';
import { requestWork, type WorkRequest } from '../app/request-work';
import type { Outcome } from '../domain/outcome';
import type { OrderDoc } from '../domain/types';

/**
 * How an event handler acts on an order: queue a workflow or apply a direct change, guarded by the
 * checks in domain/guards.ts. A stale event (the order moved on) is ignored and counted, never thrown,
 * since a retry would not make it fresh.
 */

/** Counts and logs an event the order does not act on (stale, duplicate, out of order). */
export function ignored(ctx: OrdersContext, type: string, orderId: string, why: string | null): void {
  const reason = why === null ? 'unknown-order' : why === 'duplicate' ? 'duplicate' : 'stale';
  ctx.metrics.eventsIgnored.inc({ type, why: reason });
  ctx.svc.log.debug({ type, orderId, why }, 'event ignored');
}

/** Queues a workflow for an event if the order accepts it now; otherwise counts the event as ignored. */
export async function queueFromEvent(
  ctx: OrdersContext,
  session: Session,
  type: string,
  orderId: string,
  guard: (o: OrderDoc) => true | string,
  build: (o: OrderDoc) => WorkRequest,
): Promise<boolean> {
  const verdict = await requestWork(ctx, orderId, guard, build, session);
  if (verdict !== true) ignored(ctx, type, orderId, verdict);
  return verdict === true;
}

/** Applies a direct state change for an event (`change` returns why not, as a string, to ignore it). */
export async function changeFromEvent(
  ctx: OrdersContext,
  session: Session,
  type: string,
  orderId: string,
  change: (o: OrderDoc) => Outcome | string,
): Promise<void> {
  const seen: { found: boolean; why: string | null } = { found: false, why: null };
  await ctx.repo.update(
    orderId,
    (o) => {
      seen.found = true;
      seen.why = null;
      const r = change(o);
      if (typeof r === 'string') {
        seen.why = r;
        return null;
      }
      return r;
    },
    session,
  );
  if (!seen.found) ignored(ctx, type, orderId, null);
  else if (seen.why !== null) ignored(ctx, type, orderId, seen.why);
}
