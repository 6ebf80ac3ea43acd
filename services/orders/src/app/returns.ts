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
import { returnDecided, returnReceived, returnRequested, writeOffDecided } from '../domain/order-changes';
import { money } from '../domain/money';
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
  const closed = await closedForReturn(ctx, o, merged, now);
  if (closed.length > 0)
    throw new UnprocessableError('return-window-closed', 'the return window of these lines has closed', {
      lines: closed,
    });
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
  const credit = await exchangeCredit(
    ctx,
    o.returns.find((r) => r.returnId === returnId)!,
  );
  await ctx.svc.store.withTransaction(async (session) => {
    await ctx.repo.update(
      orderId,
      (x) => {
        const ret = x.returns.find((r) => r.returnId === returnId)!;
        // Receiving at the counter accepts a request nobody decided yet; a refused one stays refused.
        if (ret.status !== 'requested' && ret.status !== 'accepted')
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
        // Restocked units are refunded now; written-off ones only after a staff decision.
        const restocked = received.filter((l) => l.disposition === 'restock');
        const writtenOff = received.filter((l) => l.disposition === 'write_off');
        // An exchange's replacement was paid with the returned units' value: only the rest is refunded.
        const restockValue = returnRefundFor(x, restocked);
        const refund = money(Math.max(0, restockValue.amountMinor - credit), x.currency);
        const creditLeft = money(Math.max(0, credit - restockValue.amountMinor), x.currency);
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
          ...(ret.exchange ? { exchange: { ...ret.exchange, creditLeft } } : {}),
          ...(writtenOff.length > 0
            ? {
                writeOff: {
                  lines: writtenOff.map((l) => ({ sku: l.sku, qty: l.qty })),
                  value: returnRefundFor(x, writtenOff),
                  decision: 'pending' as const,
                },
              }
            : {}),
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
  return {
    order: settled,
    inProgress: ret?.status !== 'refunded' && ret?.writeOff?.decision !== 'pending',
  };
}

/**
 * The credit an exchange's replacement took from this return, in minor units: none when the
 * replacement was cancelled or failed (the customer paid nothing with it).
 */
async function exchangeCredit(ctx: OrdersContext, ret: ReturnRecord): Promise<number> {
  if (!ret.exchange) return 0;
  const replacement = await ctx.repo.get(ret.exchange.replacementOrderId);
  if (!replacement || replacement.status === 'cancelled' || replacement.status === 'failed') return 0;
  return ret.exchange.credit.amountMinor;
}

/**
 * Who decides about a return: ops (orders:return), or a manager (inventory:adjust) of the location
 * the order was fulfilled from or the goods came back to.
 */
function mayDecide(p: Principal, o: OrderDoc, ret: ReturnRecord): boolean {
  if (can(p, 'orders:return')) return true;
  const places = [o.fulfilment.locationId, ret.locationId].filter((x): x is string => !!x);
  return places.some((storeId) => can(p, 'inventory:adjust', { storeId }));
}

/** A return as this caller may decide on it: another store's return answers 404. */
async function decidableReturn(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  returnId: string,
): Promise<{ order: OrderDoc; ret: ReturnRecord }> {
  const o = await ctx.repo.get(orderId);
  const ret = o?.returns.find((r) => r.returnId === returnId);
  if (!o || !ret) throw new NotFoundError('return', returnId);
  if (!mayDecide(p, o, ret)) {
    if (can(p, 'orders:read', { storeId: o.fulfilment.locationId }))
      throw new ForbiddenError(`${p.role} ${p.sub} may not decide on returns`);
    throw new NotFoundError('return', returnId);
  }
  return { order: o, ret };
}

/** Staff accept or refuse a return request, with a reason (refusals need one). Audited. */
export async function decideReturn(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  returnId: string,
  input: { accept: boolean; reason?: string },
): Promise<{ order: OrderDoc; ret: ReturnRecord }> {
  if (!input.accept && !input.reason)
    throw new BadRequestError('a refusal needs a reason', [
      { field: 'body/reason', message: 'required to refuse' },
    ]);
  await decidableReturn(ctx, p, orderId, returnId);
  const now = ctx.env.clock().toISOString();
  const saved = await ctx.svc.store.withTransaction(async (session) => {
    const order = await ctx.repo.update(
      orderId,
      (x) => {
        const ret = x.returns.find((r) => r.returnId === returnId)!;
        if (ret.status !== 'requested')
          throw new ConflictError('illegal-transition', `return ${returnId} is ${ret.status}`);
        return returnDecided(
          x,
          returnId,
          compact({
            accepted: input.accept,
            reason: input.reason,
            by: { sub: p.sub, role: p.role },
            at: now,
          }),
        );
      },
      session,
    );
    await ctx.svc.audit.record(
      {
        actor: p,
        action: input.accept ? 'return.accept' : 'return.refuse',
        target: { type: 'return', id: returnId },
        details: compact({ orderId, reason: input.reason }),
      },
      session,
    );
    return order!;
  });
  return { order: saved, ret: saved.returns.find((r) => r.returnId === returnId)! };
}

/**
 * Written-off units of a received return are refunded only when staff say so (with a reason); the
 * return's refund is then paid. Audited.
 */
export async function decideWriteOffRefund(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  returnId: string,
  input: { refund: boolean; reason: string },
): Promise<CommandResult> {
  await decidableReturn(ctx, p, orderId, returnId);
  const now = ctx.env.clock().toISOString();
  await ctx.svc.store.withTransaction(async (session) => {
    await ctx.repo.update(
      orderId,
      (x) => {
        const ret = x.returns.find((r) => r.returnId === returnId)!;
        if (ret.writeOff?.decision !== 'pending')
          throw new ConflictError(
            'no-pending-write-off',
            ret.writeOff
              ? `the write-off of ${returnId} was decided already`
              : `${returnId} wrote nothing off`,
          );
        return writeOffDecided(
          x,
          returnId,
          input.refund,
          { by: { sub: p.sub, role: p.role }, at: now, reason: input.reason },
          now,
        );
      },
      session,
    );
    await ctx.svc.audit.record(
      {
        actor: p,
        action: input.refund ? 'return.write-off.refund' : 'return.write-off.no-refund',
        target: { type: 'return', id: returnId },
        details: { orderId, reason: input.reason },
      },
      session,
    );
  });
  ctx.runner.kick(orderId);
  const settled = (await settle(ctx, orderId, ctx.env.timings.commandWaitMs))!;
  const ret = settled.returns.find((r) => r.returnId === returnId);
  return { order: settled, inProgress: ret?.status !== 'refunded' };
}

/**
 * Lines whose return window has closed: the product's return policy (or the default window),
 * counted from completion. An order not completed yet (a parcel on its way) is within its window.
 */
export async function closedForReturn(
  ctx: OrdersContext,
  o: OrderDoc,
  lines: ReturnLine[],
  now: string,
): Promise<Array<{ sku: string; windowDays: number; closedAt: string }>> {
  if (!o.completedAt) return [];
  const productIds = [...new Set(o.lines.flatMap((l) => (l.productId ? [l.productId] : [])))];
  const policies = new Map(
    (await ctx.collections.returnPolicies.find({ _id: { $in: productIds } })).map((r) => [
      r._id,
      r.windowDays,
    ]),
  );
  const out: Array<{ sku: string; windowDays: number; closedAt: string }> = [];
  for (const l of lines) {
    const bought = o.lines.find((b) => b.sku === l.sku);
    const days =
      (bought?.productId ? policies.get(bought.productId) : undefined) ?? ctx.env.policy.returnWindowDays;
    const closedAt = new Date(Date.parse(o.completedAt) + days * 86_400_000).toISOString();
    if (closedAt <= now) out.push({ sku: l.sku, windowDays: days, closedAt });
  }
  return out;
}

export function mergeReturnLines(lines: Array<{ sku: string; qty: number; reason?: string }>): ReturnLine[] {
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
