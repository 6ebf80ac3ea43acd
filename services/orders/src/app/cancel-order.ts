import { authorize, ConflictError, type Principal } from '@omni/kit';
import { cancellable } from '../domain/lifecycle';
import type { CancelCause, OrderDoc } from '../domain/types';
import type { OrdersContext } from './context';
import { isOwnOrder, loadVisibleOrder } from './order-access';
import { requestWork, settle } from './request-work';

export interface CommandResult {
  order: OrderDoc;
  /** The workflow is still running (the answer is 202). */
  inProgress: boolean;
}

/**
 * Cancels an order: by its customer only before picking started (not ready, not with a rider), by ops
 * (orders:cancel, audited) also while it waits at the counter. Stock is released, the authorisation
 * voided (or the capture refunded) and points given back by the cancel workflow.
 */
export async function cancelOrder(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  reason?: string,
): Promise<CommandResult> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  const own = await isOwnOrder(ctx, p, o);
  const cause: CancelCause = own ? 'customer' : 'ops';
  if (!own) authorize(p, 'orders:cancel', { storeId: o.fulfilment.locationId });
  const why = reason ?? (own ? 'cancelled by the customer' : 'cancelled by ops');
  await ctx.svc.store.withTransaction(async (session) => {
    const verdict = await requestWork(
      ctx,
      orderId,
      (x) => cancellable(x.status, cause),
      () => ({
        workflow: 'cancel',
        key: `cancel:${cause}`,
        params: { cancelCause: cause, reason: why, actor: { sub: p.sub, role: p.role } },
      }),
      session,
    );
    if (verdict !== true && verdict !== 'duplicate')
      throw new ConflictError('illegal-transition', verdict ?? 'order not found');
    if (!own) {
      await ctx.svc.audit.record(
        {
          actor: p,
          action: 'order.cancel',
          target: { type: 'order', id: orderId },
          details: { reason: why },
        },
        session,
      );
    }
  });
  const settled = (await settle(ctx, orderId, ctx.env.timings.commandWaitMs))!;
  if (settled.status === 'cancelled') return { order: settled, inProgress: false };
  if (settled.active) return { order: settled, inProgress: true };
  // The order moved on before the cancellation could start (e.g. the store marked it ready).
  throw new ConflictError(
    'illegal-transition',
    `order is ${settled.status}: the cancellation no longer applies`,
  );
}
