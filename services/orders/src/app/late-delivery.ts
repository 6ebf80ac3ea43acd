import { authorize, ConflictError, NotFoundError, type Principal } from '@omni/kit';
import type { Session } from '@omni/store';
import { all, inStatus, method } from '../domain/guards';
import { lateRemedyChosen, lateReported } from '../domain/order-changes';
import type { Outcome } from '../domain/outcome';
import type { LateRemedy, OrderDoc } from '../domain/types';
import type { OrdersContext } from './context';
import { isOwnOrder, loadVisibleOrder } from './order-access';
import { settle } from './request-work';
import { ignored } from '../events/handle';

/**
 * Late deliveries: reports of a delay (dispatch's SLA events, or ops marking an order late), the
 * customer's choice between a free order and a re-delivery past the free-order threshold, and the
 * default remedy for a customer who did not choose in time. The payments run in the compensate_late
 * workflow; this file only records facts and queues it.
 */

/** Applies `change` to the order and kicks the runner when work was queued. Returns why not, or true. */
async function changeOrder(
  ctx: OrdersContext,
  orderId: string,
  change: (o: OrderDoc) => Outcome | string,
  session?: Session,
): Promise<true | string | null> {
  const seen: { verdict: true | string | null } = { verdict: null };
  await ctx.repo.update(
    orderId,
    (o) => {
      const r = change(o);
      seen.verdict = typeof r === 'string' ? r : true;
      return typeof r === 'string' ? null : r;
    },
    session,
  );
  if (seen.verdict === true) ctx.runner.kick(orderId);
  return seen.verdict;
}

function lateGuard(o: OrderDoc, locationId?: string): true | string {
  return all(
    method(o, 'delivery'),
    inStatus(o, 'confirmed', 'out_for_delivery', 'delivered'),
    locationId === undefined || o.fulfilment.locationId === locationId
      ? true
      : `late report is about ${locationId}, the order is at ${o.fulfilment.locationId}`,
  );
}

/** A delay report; the event handler passes its session (inbox) and the reporting location. */
export async function reportLate(
  ctx: OrdersContext,
  orderId: string,
  minutesLate: number,
  opts: { session?: Session; locationId?: string; eventType?: string } = {},
): Promise<true | string | null> {
  const now = ctx.env.clock().toISOString();
  const verdict = await changeOrder(
    ctx,
    orderId,
    (o) => {
      const ok = lateGuard(o, opts.locationId);
      return ok === true ? lateReported(o, minutesLate, ctx.env.policy, now) : ok;
    },
    opts.session,
  );
  if (verdict !== true && opts.eventType) ignored(ctx, opts.eventType, orderId, verdict);
  return verdict;
}

/** Ops marks a delivery late (e.g. the store reported it; the demo): audited, then as a report. */
export async function markLate(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  minutesLate: number,
): Promise<OrderDoc> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  authorize(p, 'orders:manage', { storeId: o.fulfilment.locationId });
  await ctx.svc.store.withTransaction(async (session) => {
    const verdict = await reportLate(ctx, orderId, minutesLate, { session });
    if (verdict === null) throw new NotFoundError('order', orderId);
    if (verdict !== true && verdict !== 'already reported as late')
      throw new ConflictError('illegal-transition', verdict);
    await ctx.svc.audit.record(
      {
        actor: p,
        action: 'order.mark-late',
        target: { type: 'order', id: orderId },
        details: { minutesLate },
      },
      session,
    );
  });
  return (await settle(ctx, orderId, ctx.env.timings.commandWaitMs))!;
}

/**
 * The customer's choice (ops may record it for them, audited). Choosing the same remedy again answers
 * the order as it is; another remedy after a choice, or a choice where none was offered, is 409.
 */
export async function chooseLateRemedy(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  choice: LateRemedy,
): Promise<OrderDoc> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  const own = await isOwnOrder(ctx, p, o);
  if (!own) authorize(p, 'orders:manage', { storeId: o.fulfilment.locationId });
  const now = ctx.env.clock().toISOString();
  await ctx.svc.store.withTransaction(async (session) => {
    const verdict = await changeOrder(
      ctx,
      orderId,
      (x) => lateRemedyChosen(x, choice, 'customer', now),
      session,
    );
    if (verdict === null) throw new NotFoundError('order', orderId);
    if (verdict !== true && verdict !== 'duplicate') throw new ConflictError('late-remedy-not-open', verdict);
    if (!own && verdict === true) {
      await ctx.svc.audit.record(
        {
          actor: p,
          action: 'order.late-remedy',
          target: { type: 'order', id: orderId },
          details: { choice },
        },
        session,
      );
    }
  });
  return (await settle(ctx, orderId, ctx.env.timings.commandWaitMs))!;
}

/** Job: orders whose choice deadline passed get the policy's default remedy, one order at a time. */
export async function applyDefaultRemedies(ctx: OrdersContext): Promise<number> {
  const now = ctx.env.clock().toISOString();
  const due = await ctx.collections.orders.find(
    {
      'late.remedy.decideBy': { $lt: now },
      'late.remedy.choice': { $exists: false },
    },
    { limit: 200 },
  );
  let applied = 0;
  for (const o of due) {
    const verdict = await changeOrder(ctx, o._id, (x) =>
      lateRemedyChosen(x, ctx.env.policy.lateDefaultRemedy, 'default', now),
    );
    if (verdict === true) applied++;
  }
  return applied;
}
