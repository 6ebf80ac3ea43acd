import {
  BadRequestError,
  can,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  type Principal,
} from '@omni/kit';
import { newId } from '@omni/store';
import { returnableQty, returnRefundFor } from '../domain/policy';
import { FULFILLED, type OrderDoc, type ReturnLine, type ReturnRecord } from '../domain/types';
import { returnReceived, returnRequested } from '../domain/order-changes';
import { compact } from '../domain/order-events';
import type { CommandResult } from './cancel-order';
import type { OrdersContext } from './context';
import { isOwnOrder, loadVisibleOrder } from './order-access';
import { settle } from './request-work';

export const MAX_RETURNS_PER_ORDER = 20;

/**
 * Returns: the customer (or ops) asks to return lines of a fulfilled order; staff at a store or
 * warehouse receive the goods, deciding per line to restock or write off; the refund follows.
 *
 * Stock: inventory has no return RPC, so the receipt is announced as `omni.orders.return.received`
 * with the location and a disposition per line — inventory consumes it to book `return` movements.
 */
export async function requestReturn(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  lines: Array<{ sku: string; qty: number; reason?: string }>,
): Promise<{ order: OrderDoc; ret: ReturnRecord }> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  const own = await isOwnOrder(ctx, p, o);
  if (!own && !can(p, 'orders:return'))
    throw new ForbiddenError(`${p.role} ${p.sub} may not request returns`);
  const merged = mergeReturnLines(lines);
  const now = ctx.env.clock().toISOString();
  const ret: ReturnRecord = {
    returnId: `ret_${newId()}`,
    status: 'requested',
    lines: merged,
    requestedBy: { sub: p.sub, role: p.role },
    requestedAt: now,
  };
  const saved = await ctx.repo.update(orderId, (x) => {
    if (!FULFILLED.has(x.status))
      throw new ConflictError(
        'illegal-transition',
        `order is ${x.status}: only collected, delivered or shipped orders can be returned`,
      );
    if (x.returns.length >= MAX_RETURNS_PER_ORDER)
      throw new UnprocessableError('too-many-returns', `at most ${MAX_RETURNS_PER_ORDER} returns per order`);
    const left = returnableQty(x);
    const over = merged
      .filter((l) => (left.get(l.sku) ?? 0) < l.qty)
      .map((l) => ({ sku: l.sku, requested: l.qty, returnable: Math.max(0, left.get(l.sku) ?? 0) }));
    if (over.length > 0)
      throw new UnprocessableError('not-returnable', 'more units than were bought and not yet returned', {
        lines: over,
      });
    return returnRequested(x, ret);
  });
  return { order: saved!, ret };
}

export async function receiveReturn(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  returnId: string,
  input: {
    locationId: string;
    lines: Array<{ sku: string; qty: number; disposition: 'restock' | 'write_off' }>;
  },
): Promise<CommandResult> {
  if (!can(p, 'orders:return') && !can(p, 'inventory:adjust', { storeId: input.locationId })) {
    throw new ForbiddenError(`${p.role} ${p.sub} may not receive returns at ${input.locationId}`);
  }
  const o = await ctx.repo.get(orderId);
  if (!o || !o.returns.some((r) => r.returnId === returnId)) throw new NotFoundError('return', returnId);
  const received = mergeReceived(input.lines);
  const now = ctx.env.clock().toISOString();
  await ctx.svc.store.withTransaction(async (session) => {
    await ctx.repo.update(
      orderId,
      (x) => {
        const ret = x.returns.find((r) => r.returnId === returnId)!;
        if (ret.status !== 'requested')
          throw new ConflictError('illegal-transition', `return ${returnId} is ${ret.status}`);
        const gotBySku = new Map<string, number>();
        for (const l of received) gotBySku.set(l.sku, (gotBySku.get(l.sku) ?? 0) + l.qty);
        const over = [...gotBySku].filter(
          ([sku, got]) => got > (ret.lines.find((r) => r.sku === sku)?.qty ?? 0),
        );
        if (over.length > 0) {
          throw new UnprocessableError('not-in-return', 'received more units than the return announced', {
            lines: over.map(([sku, got]) => ({
              sku,
              received: got,
              requested: ret.lines.find((r) => r.sku === sku)?.qty ?? 0,
            })),
          });
        }
        const refund = returnRefundFor(x, received);
        const lines: ReturnLine[] = received.map((l) =>
          compact({ ...l, reason: ret.lines.find((r) => r.sku === l.sku)?.reason }),
        );
        const updated: ReturnRecord = {
          ...ret,
          status: 'received',
          lines,
          locationId: input.locationId,
          receivedBy: { sub: p.sub, role: p.role },
          receivedAt: now,
          refund,
        };
        return returnReceived(x, updated, now);
      },
      session,
    );
    await ctx.svc.audit.record(
      {
        actor: p,
        action: 'return.receive',
        target: { type: 'return', id: returnId },
        details: { orderId, locationId: input.locationId, lines: received },
      },
      session,
    );
  });
  ctx.runner.kick(orderId);
  const settled = (await settle(ctx, orderId, ctx.env.timings.commandWaitMs))!;
  const ret = settled.returns.find((r) => r.returnId === returnId);
  return { order: settled, inProgress: ret?.status !== 'refunded' };
}

function mergeReturnLines(lines: Array<{ sku: string; qty: number; reason?: string }>): ReturnLine[] {
  const out = new Map<string, ReturnLine>();
  for (const l of lines) {
    const prev = out.get(l.sku);
    out.set(l.sku, compact({ sku: l.sku, qty: (prev?.qty ?? 0) + l.qty, reason: l.reason ?? prev?.reason }));
  }
  return [...out.values()];
}

/** One line per SKU and disposition (QC may restock some units of a SKU and write off others). */
function mergeReceived(lines: Array<{ sku: string; qty: number; disposition: 'restock' | 'write_off' }>) {
  if (lines.length === 0)
    throw new BadRequestError('nothing received', [{ field: 'body/lines', message: 'at least one line' }]);
  const out = new Map<string, { sku: string; qty: number; disposition: 'restock' | 'write_off' }>();
  for (const l of lines) {
    const key = `${l.sku}|${l.disposition}`;
    const prev = out.get(key);
    out.set(key, { sku: l.sku, disposition: l.disposition, qty: (prev?.qty ?? 0) + l.qty });
  }
  return [...out.values()];
}
