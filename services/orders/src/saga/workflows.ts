import { add, min, money, zero } from '../domain/money';
import { cancellable } from '../domain/lifecycle';
import { all, inStatus, sameReservation } from '../domain/guards';
import { moveTo, withAttention } from '../domain/order-changes';
import {
  cancelledEvent,
  compensatedEvent,
  completedEvent,
  confirmedEvent,
  reroutedEvent,
  returnRefundedEvent,
  undeliveredReturnEvent,
} from '../domain/order-events';
import { lateCompensationFor, refundable } from '../domain/policy';
import type { Failure, Money, OrderDoc, WorkflowName, WorkflowParams } from '../domain/types';
import type { Outcome, PendingEvent } from '../domain/outcome';
import type { OrdersPolicy } from '../settings';
import type { Step, Workflow } from './types';
import { commitStock, releaseStock, reserveStock } from './steps/inventory';
import { authKey, authorizePayment, capturePayment, settleOnCancel } from './steps/payment';
import { redeemPoints, refundPoints } from './steps/points';
import { releasePreviousReservation, reserveNextLocation } from './steps/reroute';

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
    accepts: (o) => inStatus(o, 'pending'),
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
    accepts: (o, p) => all(inStatus(o, 'confirmed'), sameReservation(o, p)),
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
          reroutedEvent(
            o,
            from,
            pending.route,
            pending.attempt,
            `${p.reason ?? 're-route'}; ${pending.route.reason}`,
          ),
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
      const events = [...out.events!, cancelledEvent(o, reason)];
      // Goods that left with a rider come back to the store: inventory restocks them (a return movement).
      if (p.cancelCause === 'delivery_failed' && o.reservation.status === 'committed') {
        events.push(undeliveredReturnEvent(o));
      }
      return { order: out.order, events };
    },
    failed: needsOps('cancel'),
  };

  const collect: Workflow = {
    name: 'collect',
    retryForever: true,
    steps: [commitStock, capturePayment],
    accepts: (o, p) => all(inStatus(o, 'confirmed', 'ready_for_pickup'), sameReservation(o, p)),
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
    accepts: (o, p) => all(inStatus(o, 'confirmed'), sameReservation(o, p)),
    completed: (o, _p, now) => moveTo(o, 'out_for_delivery', now, 'picked up by the rider'),
    failed: needsOps('hand-to-rider'),
  };

  const deliver: Workflow = {
    name: 'deliver',
    retryForever: true,
    steps: [commitStock, capturePayment],
    accepts: (o, p) => all(inStatus(o, 'confirmed', 'out_for_delivery'), sameReservation(o, p)),
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
    accepts: (o) => all(inStatus(o, 'confirmed'), o.fulfilment.method === 'ship' ? true : 'not a ship order'),
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
        inStatus(o, 'confirmed', 'out_for_delivery', 'delivered'),
        o.fulfilment.method === 'delivery' ? true : 'not a delivery order',
        o.compensation ? 'already compensated' : true,
      ),
    completed(o, p, now) {
      const c = lateCompensationFor(o, policy, p.minutesLate ?? 1, now);
      return {
        order: { ...o, compensation: c },
        events: [compensatedEvent(o, c)],
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
      const events: PendingEvent[] = [returnRefundedEvent(o, ret)];
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
