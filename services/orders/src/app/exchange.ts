import { createHash } from 'node:crypto';
import { can, ConflictError, ForbiddenError, UnprocessableError, type Principal } from '@omni/kit';
import { min } from '../domain/money';
import { returnDecidedEvent } from '../domain/order-events';
import { returnRequested } from '../domain/order-changes';
import { returnableQty, returnRefundFor } from '../domain/policy';
import { FULFILLED, type Line, type OrderDoc, type ReturnRecord } from '../domain/types';
import { cancelOrder } from './cancel-order';
import type { OrdersContext } from './context';
import { isOwnOrder, loadVisibleOrder } from './order-access';
import { placeOrder, type PlaceOrderInput } from './place-order';
import { closedForReturn, mergeReturnLines } from './returns';

export interface ExchangeInput {
  returnLines: Array<{ sku: string; qty: number; reason?: string }>;
  replacementLines: Line[];
  payment: PlaceOrderInput['payment'];
  /** Where the replacement goes; default: as the original order. */
  fulfilment?: PlaceOrderInput['fulfilment'];
}

export interface ExchangeResult {
  order: OrderDoc;
  ret: ReturnRecord;
  replacement: OrderDoc;
}

/** The replacement goes where the original went, unless the request says otherwise. */
function sameFulfilment(o: OrderDoc): PlaceOrderInput['fulfilment'] {
  const f = o.fulfilment;
  if (f.method === 'pickup')
    return { method: 'pickup', storeId: f.requestedStoreId ?? f.locationId, allowAlternativeStore: true };
  return {
    method: f.method,
    ...(f.address ? { address: f.address } : {}),
    ...(f.geo ? { geo: f.geo } : {}),
  };
}

/**
 * An exchange in one request: lines of a fulfilled order come back (a return, accepted at once) and a
 * replacement order is placed, paying only the difference — the returned units' value is credited
 * against it; a cheaper replacement leaves the rest to be refunded when the goods are received.
 * The replacement is placed first (nothing is recorded when it cannot be); should the units have been
 * returned meanwhile, the replacement is cancelled again. Idempotent by the Idempotency-Key.
 */
export async function exchangeLines(
  ctx: OrdersContext,
  p: Principal,
  idempotencyKey: string,
  orderId: string,
  input: ExchangeInput,
): Promise<ExchangeResult> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  const own = await isOwnOrder(ctx, p, o);
  if (!own && !can(p, 'orders:return')) throw new ForbiddenError(`${p.role} ${p.sub} may not exchange`);
  const returnId = `ret_x${createHash('sha256').update(`${p.sub}\u0000${orderId}\u0000${idempotencyKey}`).digest('hex').slice(0, 24)}`;
  const replacementKey = `exchange:${orderId}:${idempotencyKey}`;
  const merged = mergeReturnLines(input.returnLines);
  const replacementInput: PlaceOrderInput = {
    ...(own ? {} : o.customerId ? { customerId: o.customerId } : {}),
    lines: input.replacementLines,
    fulfilment: input.fulfilment ?? sameFulfilment(o),
    payment: input.payment,
  };

  const done = o.returns.find((r) => r.returnId === returnId);
  if (!done) {
    if (!FULFILLED.has(o.status))
      throw new ConflictError(
        'illegal-transition',
        `order is ${o.status}: only fulfilled orders are exchanged`,
      );
    const left = returnableQty(o);
    const over = merged.filter((l) => (left.get(l.sku) ?? 0) < l.qty).map((l) => l.sku);
    if (over.length > 0)
      throw new UnprocessableError('not-returnable', 'more units than were bought and not yet returned', {
        skus: over,
      });
    const closed = await closedForReturn(ctx, o, merged, ctx.env.clock().toISOString());
    if (closed.length > 0)
      throw new UnprocessableError('return-window-closed', 'the return window of these lines has closed', {
        lines: closed,
      });
  }
  const credit = returnRefundFor(o, merged);
  const { order: replacement } = await placeOrder(ctx, p, replacementKey, replacementInput, {
    credit,
    of: { orderId, returnId },
  });
  if (replacement.status === 'failed')
    throw new UnprocessableError(
      'order-failed',
      replacement.statusReason ?? 'the replacement could not be placed',
      {
        orderId: replacement._id,
        failure: replacement.failure,
      },
    );
  if (done) return { order: o, ret: done, replacement };

  // What the replacement actually took from the credit (it may cost less than the returned units).
  const used = min(credit, {
    amountMinor: Math.max(
      0,
      replacement.total.amountMinor -
        (replacement.points?.discount.amountMinor ?? 0) -
        replacement.amountDue.amountMinor,
    ),
    currency: replacement.currency,
  });
  const now = ctx.env.clock().toISOString();
  const by = { sub: p.sub, role: p.role };
  const ret: ReturnRecord = {
    returnId,
    status: 'accepted',
    lines: merged,
    requestedBy: by,
    requestedAt: now,
    decision: { accepted: true, by, at: now, reason: `exchange for ${replacement._id}` },
    exchange: { replacementOrderId: replacement._id, credit: used },
  };
  try {
    const saved = await ctx.repo.update(orderId, (x) => {
      if (x.returns.some((r) => r.returnId === returnId)) return null;
      const left = returnableQty(x);
      if (merged.some((l) => (left.get(l.sku) ?? 0) < l.qty))
        throw new UnprocessableError('not-returnable', 'the units were returned meanwhile');
      const out = returnRequested(x, ret);
      return { order: out.order, events: [...(out.events ?? []), returnDecidedEvent(x, ret)] };
    });
    return { order: saved!, ret: saved!.returns.find((r) => r.returnId === returnId)!, replacement };
  } catch (err) {
    // The exchange did not happen: the replacement must not ship on a credit nobody gave.
    await cancelOrder(ctx, p, replacement._id, 'exchange withdrawn: the units were returned meanwhile').catch(
      (cancelErr: unknown) =>
        ctx.svc.log.error({ err: cancelErr, orderId: replacement._id }, 'exchange cancel failed'),
    );
    throw err;
  }
}
