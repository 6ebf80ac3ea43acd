import {
  OrderCancelled,
  OrderCompensated,
  OrderCompleted,
  OrderConfirmed,
  OrderRerouted,
  OrderStatusChanged,
  ReturnReceived,
  ReturnRefunded,
} from '@omni/contracts';
import { add, min, money, zero } from '../domain/money';
import { canTransition, cancellable, withStatus } from '../domain/lifecycle';
import { lateCompensationFor, refundable } from '../domain/policy';
import type {
  Failure,
  Money,
  OrderDoc,
  OrderStatus,
  StatusEntry,
  WorkflowName,
  WorkflowParams,
} from '../domain/types';
import { emit, type Outcome, type PendingEvent } from '../store/order-repository';
import type { OrdersPolicy } from '../settings';
import type { Step, Workflow } from './types';
import {
  authKey,
  authorizePayment,
  capturePayment,
  commitStock,
  redeemPoints,
  refundPoints,
  releasePreviousReservation,
  releaseStock,
  reserveNextLocation,
  reserveStock,
  settleOnCancel,
} from './steps';

/** Drops undefined members (optional event fields must be absent, not undefined). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function statusEvent(orderId: string, change: StatusEntry): PendingEvent {
  // The contract's OrderStatus is built with `.map(Type.Literal)`, which TypeBox types as `never`; the
  // runtime schema (checked by the outbox) is the literal union, which OrderStatus here matches.
  const status = (s: OrderStatus): never => s as never;
  return emit(
    OrderStatusChanged,
    compact({ orderId, from: status(change.from), to: status(change.to), reason: change.reason }),
  );
}

/**
 * Status change + its OrderStatusChanged event. Workflows check the status when they start; should it
 * have moved meanwhile to one the change is not allowed from, the order keeps it and is flagged for ops
 * rather than the workflow failing forever.
 */
function moveTo(o: OrderDoc, to: OrderStatus, at: string, reason?: string): Outcome {
  if (!canTransition(o.status, to)) {
    return {
      order: withAttention(o, 'illegal-transition', `workflow wanted ${o.status} -> ${to}`, at),
      events: [],
    };
  }
  const { order, change } = withStatus(o, to, at, reason);
  return { order, events: [statusEvent(o._id, change)] };
}

export function confirmedEvent(o: OrderDoc): PendingEvent {
  return emit(
    OrderConfirmed,
    compact({
      orderId: o._id,
      customerId: o.customerId,
      customerName: o.customerName,
      channel: o.channel,
      fulfilment: compact({
        method: o.fulfilment.method,
        locationId: o.fulfilment.locationId,
        address: o.fulfilment.address,
        geo: o.fulfilment.geo ?? o.fulfilment.address?.geo,
      }),
      reservationId: o.reservation.reservationId,
      lines: o.lines.map((l) => compact({ sku: l.sku, qty: l.qty, unitPrice: l.unitPrice, name: l.name })),
      total: o.total,
      payment: {
        method: o.payment.method,
        amountDue: o.payment.method === 'cod' ? o.amountDue : zero(o.currency),
      },
      routeAttempt: o.routeAttempt,
    }),
  );
}

function completedEvent(o: OrderDoc, at: string): PendingEvent {
  return emit(
    OrderCompleted,
    compact({
      orderId: o._id,
      customerId: o.customerId,
      channel: o.channel,
      total: o.total,
      completedAt: at,
    }),
  );
}

function sameReservation(o: OrderDoc, p: WorkflowParams): true | string {
  return p.reservationId === undefined || p.reservationId === o.reservation.reservationId
    ? true
    : `event is about reservation ${p.reservationId}, the order now holds ${o.reservation.reservationId}`;
}

function statusIn(o: OrderDoc, allowed: OrderStatus[]): true | string {
  return allowed.includes(o.status) ? true : `order is ${o.status}`;
}

function all(...checks: Array<true | string>): true | string {
  return checks.find((c) => c !== true) ?? true;
}

function withAttention(o: OrderDoc, code: string, reason: string, at: string): OrderDoc {
  return { ...o, attention: [...o.attention, { code, reason, at }] };
}

/** A forward-only workflow that failed permanently: nothing to undo, ops must look at it. */
function needsOps(what: string) {
  return (o: OrderDoc, _p: WorkflowParams, f: Failure, now: string): Outcome => ({
    order: withAttention(o, `${what}-failed`, `${f.step}: ${f.reason}`, now),
  });
}

export function buildWorkflows(policy: OrdersPolicy): Record<WorkflowName, Workflow> {
  const place: Workflow = {
    name: 'place',
    steps: [reserveStock, redeemPoints, authorizePayment],
    accepts: (o) => statusIn(o, ['pending']),
    completed(o, _p, now) {
      const paid: OrderDoc = {
        ...o,
        payment: {
          ...o.payment,
          status:
            o.payment.method === 'cod'
              ? 'cod_due'
              : o.amountDue.amountMinor === 0
                ? 'not_required'
                : o.payment.status,
        },
      };
      const out = moveTo(paid, 'confirmed', now, o.route.reason);
      return { order: out.order, events: [...out.events!, confirmedEvent(out.order)] };
    },
    failed(o, _p, failure, now) {
      const out = moveTo({ ...o, failure }, 'failed', now, `${failure.code}: ${failure.reason}`);
      return out;
    },
  };

  const reroute: Workflow = {
    name: 'reroute',
    // Inventory or the network being down must not cancel the order: wait for them.
    retryForever: true,
    steps: [reserveNextLocation, releasePreviousReservation],
    accepts: (o, p) => all(statusIn(o, ['confirmed']), sameReservation(o, p)),
    completed(o, p, now) {
      const pending = o.pendingRoute;
      if (!pending)
        return { order: withAttention(o, 'reroute-lost', 're-route finished without a new location', now) };
      const from = o.fulfilment.locationId;
      const order: OrderDoc = {
        ...o,
        route: pending.route,
        routeHistory: [...o.routeHistory, pending.route],
        routeAttempt: pending.attempt,
        triedLocationIds: [...new Set([...o.triedLocationIds, from])],
        fulfilment: { ...o.fulfilment, locationId: pending.route.locationId, holdUntil: undefined },
        reservation: {
          reservationId: pending.reservationId,
          locationId: pending.route.locationId,
          status: 'active',
        },
        pendingRoute: null,
        statusReason: `re-routed: ${p.reason ?? ''}`.trim(),
      };
      return {
        order,
        events: [
          emit(OrderRerouted, {
            orderId: o._id,
            fromLocationId: from,
            toLocationId: pending.route.locationId,
            reason: `${p.reason ?? 're-route'}; ${pending.route.reason}`,
            routeAttempt: pending.attempt,
          }),
          confirmedEvent(order),
        ],
      };
    },
    // No location can take it: cancel with refund (queued first, so it runs next).
    failed(o, p, failure, now) {
      return {
        order: {
          ...o,
          queue: [
            {
              workflow: 'cancel',
              key: 'cancel:no_route',
              params: {
                cancelCause: 'no_route',
                reason: `no location can serve the order after ${p.reason ?? 're-route'}: ${failure.reason}`,
              },
              requestedAt: now,
            },
            ...o.queue,
          ],
        },
      };
    },
  };

  const noShowFee = (o: OrderDoc): Money | null =>
    o.saga?.params.cancelCause === 'no_show' && policy.noShowFeeMinor > 0
      ? min(money(policy.noShowFeeMinor, o.currency), o.amountDue)
      : null;

  const cancel: Workflow = {
    name: 'cancel',
    retryForever: true,
    steps: [releaseStock, settleOnCancel(noShowFee), refundPoints],
    accepts: (o, p) => all(cancellable(o.status, p.cancelCause ?? 'ops'), sameReservation(o, p)),
    completed(o, p, now) {
      const reason = p.reason ?? `cancelled (${p.cancelCause ?? 'ops'})`;
      const out = moveTo(o, 'cancelled', now, reason);
      const refund = moneyBack(o);
      const events = [
        ...out.events!,
        emit(
          OrderCancelled,
          compact({
            orderId: o._id,
            customerId: o.customerId,
            reason,
            refund,
            locationId: o.fulfilment.locationId,
          }),
        ),
      ];
      // Goods that left with a rider come back to the store: inventory restocks them (a return movement).
      if (p.cancelCause === 'delivery_failed' && o.reservation.status === 'committed') {
        events.push(
          emit(ReturnReceived, {
            returnId: `${o._id}-undelivered`,
            orderId: o._id,
            locationId: o.fulfilment.locationId,
            lines: o.lines.map((l) => ({ sku: l.sku, qty: l.qty, disposition: 'restock' as const })),
          }),
        );
      }
      return { order: out.order, events };
    },
    failed: needsOps('cancel'),
  };

  const collect: Workflow = {
    name: 'collect',
    retryForever: true,
    steps: [commitStock, capturePayment],
    accepts: (o, p) => all(statusIn(o, ['confirmed', 'ready_for_pickup']), sameReservation(o, p)),
    completed(o, p, now) {
      const at = p.at ?? now;
      const out = moveTo({ ...o, completedAt: at }, 'collected', now, 'collected at the store');
      return { order: out.order, events: [...out.events!, completedEvent(out.order, at)] };
    },
    failed: needsOps('collect'),
  };

  const handToRider: Workflow = {
    name: 'hand_to_rider',
    retryForever: true,
    steps: [commitStock],
    accepts: (o, p) => all(statusIn(o, ['confirmed']), sameReservation(o, p)),
    completed: (o, _p, now) => moveTo(o, 'out_for_delivery', now, 'picked up by the rider'),
    failed: needsOps('hand-to-rider'),
  };

  const deliver: Workflow = {
    name: 'deliver',
    retryForever: true,
    steps: [commitStock, capturePayment],
    accepts: (o, p) => all(statusIn(o, ['confirmed', 'out_for_delivery']), sameReservation(o, p)),
    completed(o, p, now) {
      const at = p.at ?? now;
      let order: OrderDoc = { ...o, completedAt: at };
      if (o.payment.method === 'cod') {
        const collected = p.codCollected ?? o.amountDue;
        order = { ...order, payment: { ...o.payment, status: 'cod_paid', codCollected: collected } };
        if (
          collected.amountMinor !== o.amountDue.amountMinor ||
          collected.currency !== o.amountDue.currency
        ) {
          order = withAttention(
            order,
            'cod-mismatch',
            `rider collected ${collected.amountMinor} ${collected.currency}, due ${o.amountDue.amountMinor} ${o.amountDue.currency}`,
            now,
          );
        }
      }
      const out = moveTo(order, 'delivered', now, 'delivered');
      return { order: out.order, events: [...out.events!, completedEvent(out.order, at)] };
    },
    failed: needsOps('deliver'),
  };

  const ship: Workflow = {
    name: 'ship',
    retryForever: true,
    steps: [commitStock, capturePayment],
    accepts: (o) =>
      all(statusIn(o, ['confirmed']), o.fulfilment.method === 'ship' ? true : 'not a ship order'),
    completed(o, p, now) {
      const out = moveTo(
        { ...o, completedAt: now, shipment: { ...p.shipment, at: now } },
        'shipped',
        now,
        'handed to the carrier',
      );
      return { order: out.order, events: [...out.events!, completedEvent(out.order, now)] };
    },
    failed: needsOps('ship'),
  };

  const refundLateFee: Step = {
    name: 'refund_delivery_fee',
    when: (o) => lateCompensationFor(o, policy, 1, '').kind === 'refund_delivery_fee',
    async run(ctx, o) {
      const fee = o.deliveryFee;
      if (o.payment.status === 'captured' || o.payment.status === 'partially_refunded') {
        const amount = min(fee, refundable(o));
        await ctx.payments.refund(
          { key: `${o._id}:refund-late`, authorizationKey: authKey(o._id), amount },
          ctx.signal,
        );
        return (x) => ({
          ...x,
          payment: {
            ...x.payment,
            status: 'partially_refunded',
            refunded: add(x.payment.refunded ?? zero(x.currency), amount),
          },
        });
      }
      // Not captured yet: capture less later.
      return (x) => ({ ...x, payment: { ...x.payment, captureReduction: fee } });
    },
  };

  const compensateLate: Workflow = {
    name: 'compensate_late',
    retryForever: true,
    steps: [refundLateFee],
    accepts: (o) =>
      all(
        statusIn(o, ['confirmed', 'out_for_delivery', 'delivered']),
        o.fulfilment.method === 'delivery' ? true : 'not a delivery order',
        o.compensation ? 'already compensated' : true,
      ),
    completed(o, p, now) {
      const c = lateCompensationFor(o, policy, p.minutesLate ?? 1, now);
      return {
        order: { ...o, compensation: c },
        events: [
          emit(
            OrderCompensated,
            compact({
              orderId: o._id,
              customerId: o.customerId,
              kind: c.kind,
              amount: c.amount,
              minutesLate: c.minutesLate,
            }),
          ),
        ],
      };
    },
    failed: needsOps('compensate-late'),
  };

  const refundReturnPayment: Step = {
    name: 'refund_return',
    when: (o) => o.payment.method === 'card',
    async run(ctx, o) {
      const ret = o.returns.find((r) => r.returnId === o.saga?.params.returnId);
      if (!ret?.refund) return;
      const amount = min(ret.refund, refundable(o));
      if (amount.amountMinor > 0) {
        await ctx.payments.refund(
          { key: `${ret.returnId}:refund`, authorizationKey: authKey(o._id), amount },
          ctx.signal,
        );
      }
      return (x) => {
        const refunded = add(x.payment.refunded ?? zero(x.currency), amount);
        const full = x.payment.captured && refunded.amountMinor >= x.payment.captured.amountMinor;
        return {
          ...x,
          payment: { ...x.payment, status: full ? 'refunded' : 'partially_refunded', refunded },
          returns: x.returns.map((r) => (r.returnId === ret.returnId ? { ...r, refund: amount } : r)),
        };
      };
    },
  };

  const refundReturn: Workflow = {
    name: 'refund_return',
    retryForever: true,
    steps: [refundReturnPayment],
    accepts: (o, p) => {
      const ret = o.returns.find((r) => r.returnId === p.returnId);
      return !ret ? `no return ${p.returnId}` : ret.status !== 'received' ? `return is ${ret.status}` : true;
    },
    completed(o, p, now) {
      const ret = o.returns.find((r) => r.returnId === p.returnId)!;
      const method =
        o.payment.method === 'card' ? 'card' : (ret.refund?.amountMinor ?? 0) > 0 ? 'manual' : 'none';
      let order: OrderDoc = {
        ...o,
        returns: o.returns.map((r) =>
          r.returnId === ret.returnId
            ? { ...r, status: 'refunded', refundMethod: method, refundedAt: now }
            : r,
        ),
      };
      const events: PendingEvent[] = [
        emit(
          ReturnRefunded,
          compact({
            returnId: ret.returnId,
            orderId: o._id,
            locationId: ret.locationId,
            lines: ret.lines.map((l) => compact({ sku: l.sku, qty: l.qty, disposition: l.disposition })),
            refund: ret.refund,
          }),
        ),
      ];
      const everything = o.lines.every((l) => (o.returnedQty[l.sku] ?? 0) >= l.qty);
      const allSettled = order.returns.every((r) => r.status === 'refunded');
      if (everything && allSettled && o.status !== 'returned') {
        const out = moveTo(order, 'returned', now, 'every unit was returned');
        order = out.order;
        events.push(...out.events!);
      }
      return { order, events };
    },
    failed: needsOps('refund-return'),
  };

  return {
    place,
    reroute,
    cancel,
    collect,
    hand_to_rider: handToRider,
    deliver,
    ship,
    compensate_late: compensateLate,
    refund_return: refundReturn,
  };
}

/** What the customer gets back when the order is cancelled (for OrderCancelled.refund). */
function moneyBack(o: OrderDoc): Money | undefined {
  const p = o.payment;
  if (p.method !== 'card') return undefined;
  if (p.status === 'voided') return p.authorized ?? o.amountDue;
  if (p.status === 'refunded') return p.refunded;
  if (p.status === 'captured' && p.captured)
    return { amountMinor: o.amountDue.amountMinor - p.captured.amountMinor, currency: o.currency };
  return undefined;
}
