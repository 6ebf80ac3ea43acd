import { reservationIdFor } from './ids';
import { add, max0, subtract, sumLines, zero } from './money';
import { canTransition, withStatus } from './lifecycle';
import {
  cancelledEvent,
  compact,
  compensatedEvent,
  lateRemedyOfferedEvent,
  completedEvent,
  confirmedEvent,
  reroutedEvent,
  returnReceivedEvent,
  returnRefundedEvent,
  returnDecidedEvent,
  returnRequestedEvent,
  statusEvent,
  undeliveredReturnEvent,
} from './order-events';
import { lateCouponId, lateTier } from './policy';
import type { OrdersPolicy } from '../settings';
import { OrderLinesCancelled, ShipmentTracked } from '@omni/contracts';
import { emit, type Outcome, type PendingEvent } from './outcome';
import type { RouteChoice } from './routing';
import type {
  CancelCause,
  Decision,
  Failure,
  LateCompensation,
  LateRemedy,
  Line,
  Money,
  OrderDoc,
  OrderStatus,
  QueuedWork,
  ReturnRecord,
  RouteDecision,
  TrackingStatus,
  WorkflowParams,
} from './types';

/**
 * How an order changes: pure functions from the order as stored to the next one (with the events the
 * change announces, when it announces any). Workflows, use cases and event handlers call these rather
 * than spreading the document themselves; only saga steps' reducers (the payment, reservation and
 * points state their own call changed) and the runner's saga bookkeeping still do.
 */

/** Something ops must look at; the order itself goes on. */
export function withAttention(o: OrderDoc, code: string, reason: string, at: string): OrderDoc {
  return { ...o, attention: [...o.attention, { code, reason, at }] };
}

/**
 * Status change + its OrderStatusChanged event. Workflows check the status when they start; should it
 * have moved meanwhile to one the change is not allowed from, the order keeps it and is flagged for ops
 * rather than the workflow failing forever.
 */
export function moveTo(o: OrderDoc, to: OrderStatus, at: string, reason?: string): Outcome {
  if (!canTransition(o.status, to)) {
    return {
      order: withAttention(o, 'illegal-transition', `workflow wanted ${o.status} -> ${to}`, at),
      events: [],
    };
  }
  const { order, change } = withStatus(o, to, at, reason);
  return { order, events: [statusEvent(o._id, change)] };
}

/** The route decision recorded on the order for a location routing chose. */
export function decisionOf(choice: RouteChoice, attempt: number, at: string): RouteDecision {
  return {
    locationId: choice.locationId,
    locationType: choice.locationType,
    ...(choice.locationName ? { locationName: choice.locationName } : {}),
    ...(choice.distanceKm !== undefined ? { distanceKm: Math.round(choice.distanceKm * 100) / 100 } : {}),
    reason: choice.reason,
    candidates: choice.candidates,
    attempt,
    decidedAt: at,
  };
}

/** Placement: the order moves to a new location before confirmation (the reservation failed). */
export function movedTo(o: OrderDoc, choice: RouteChoice, at: string): OrderDoc {
  const attempt = o.routeAttempt + 1;
  const route = decisionOf(choice, attempt, at);
  return {
    ...o,
    routeAttempt: attempt,
    triedLocationIds: [...new Set([...o.triedLocationIds, o.fulfilment.locationId])],
    route,
    routeHistory: [...o.routeHistory, route],
    fulfilment: { ...o.fulfilment, locationId: choice.locationId },
    reservation: {
      reservationId: reservationIdFor(o._id, attempt),
      locationId: choice.locationId,
      status: 'none',
    },
  };
}

/** The store picked everything: ready for pickup until `holdUntil`. */
export function readyForPickup(
  o: OrderDoc,
  at: string,
  storeId: string,
  holdUntil: string | undefined,
): Outcome {
  const { order, change } = withStatus(o, 'ready_for_pickup', at, `ready at ${storeId}`);
  return {
    order: { ...order, fulfilment: { ...order.fulfilment, holdUntil } },
    events: [statusEvent(o._id, change)],
  };
}

/** A rider accepted the delivery job at the order's store. */
export function riderAssigned(o: OrderDoc, rider: NonNullable<OrderDoc['riderAssigned']>): OrderDoc {
  return { ...o, riderAssigned: rider };
}

/** A return is requested: its units count as returned (so they cannot be asked for twice). */
export function returnRequested(o: OrderDoc, ret: ReturnRecord): Outcome {
  const returnedQty = { ...o.returnedQty };
  for (const l of ret.lines) returnedQty[l.sku] = (returnedQty[l.sku] ?? 0) + l.qty;
  return {
    order: { ...o, returns: [...o.returns, ret], returnedQty },
    events: [returnRequestedEvent(o, ret)],
  };
}

/**
 * A return is received (`received` = the record as received): units announced but not brought back can
 * be returned later, and the refund is queued — unless written-off units wait for a refund decision.
 */
export function returnReceived(o: OrderDoc, received: ReturnRecord, now: string): Outcome {
  const requested = o.returns.find((r) => r.returnId === received.returnId)!;
  const gotBySku = new Map<string, number>();
  for (const l of received.lines) gotBySku.set(l.sku, (gotBySku.get(l.sku) ?? 0) + l.qty);
  const returnedQty = { ...o.returnedQty };
  for (const l of requested.lines)
    returnedQty[l.sku] = (returnedQty[l.sku] ?? 0) - (l.qty - (gotBySku.get(l.sku) ?? 0));
  const stored: OrderDoc = {
    ...o,
    returnedQty,
    returns: o.returns.map((r) => (r.returnId === received.returnId ? received : r)),
  };
  const next =
    received.writeOff?.decision === 'pending' ? stored : queueRefund(stored, received.returnId, now);
  return { order: next, events: [returnReceivedEvent(o, received)] };
}

function queueRefund(o: OrderDoc, returnId: string, now: string): OrderDoc {
  return (
    queued(o, {
      workflow: 'refund_return',
      key: `refund:${returnId}`,
      params: { returnId },
      requestedAt: now,
    }) ?? o
  );
}

/** Staff accepted or refused a return request; a refused one's units may be asked for again. */
export function returnDecided(
  o: OrderDoc,
  returnId: string,
  decision: Decision & { accepted: boolean },
): Outcome {
  const ret = o.returns.find((r) => r.returnId === returnId)!;
  const decided: ReturnRecord = { ...ret, status: decision.accepted ? 'accepted' : 'refused', decision };
  const returnedQty = { ...o.returnedQty };
  if (!decision.accepted) for (const l of ret.lines) returnedQty[l.sku] = (returnedQty[l.sku] ?? 0) - l.qty;
  return {
    order: {
      ...o,
      returnedQty,
      returns: o.returns.map((r) => (r.returnId === returnId ? decided : r)),
    },
    events: [returnDecidedEvent(o, decided)],
  };
}

/**
 * Staff decided whether written-off units of a received return are refunded: the refund becomes the
 * restocked units' plus (when granted) the written-off units' value, and is queued.
 */
export function writeOffDecided(
  o: OrderDoc,
  returnId: string,
  refund: boolean,
  decided: Decision,
  now: string,
): Outcome {
  const ret = o.returns.find((r) => r.returnId === returnId)!;
  const w = ret.writeOff!;
  const base = ret.refund ?? zero(o.currency);
  // An exchange's credit not used up by restocked units covers written-off ones first.
  const creditLeft = ret.exchange?.creditLeft?.amountMinor ?? 0;
  const granted = { amountMinor: Math.max(0, w.value.amountMinor - creditLeft), currency: w.value.currency };
  const updated: ReturnRecord = {
    ...ret,
    writeOff: { ...w, decision: refund ? 'refund' : 'no_refund', decided },
    refund: refund ? add(base, granted) : base,
  };
  const order = { ...o, returns: o.returns.map((r) => (r.returnId === returnId ? updated : r)) };
  return { order: queueRefund(order, returnId, now) };
}

// ---------------------------------------------------------------- as the workflows end, in saga order

/** Placement succeeded: what is owed is settled for now, the order is confirmed and announced. */
export function confirmed(o: OrderDoc, now: string): Outcome {
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
}

/** Placement failed and was compensated: the order records why. */
export function placementFailed(o: OrderDoc, failure: Failure, now: string): Outcome {
  return moveTo({ ...o, failure }, 'failed', now, `${failure.code}: ${failure.reason}`);
}

/** A re-route finished: the pending route becomes the order's location, announced with a new confirmation. */
export function rerouted(o: OrderDoc, why: string | undefined, now: string): Outcome {
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
    statusReason: `re-routed: ${why ?? ''}`.trim(),
  };
  return {
    order,
    events: [
      reroutedEvent(o, from, pending.route, pending.attempt, `${why ?? 're-route'}; ${pending.route.reason}`),
      confirmedEvent(order),
    ],
  };
}

/** Queues a workflow unless one with the same key is queued or running (duplicate requests/events). */
export function queued(o: OrderDoc, work: QueuedWork): OrderDoc | null {
  if (o.saga?.key === work.key || o.queue.some((q) => q.key === work.key)) return null;
  return { ...o, queue: [...o.queue, work], active: true };
}

/** Queued work that must run before anything else already queued (e.g. cancel when no route is left). */
export function queuedFirst(o: OrderDoc, work: QueuedWork): OrderDoc {
  return { ...o, queue: [work, ...o.queue] };
}

/** The order is cancelled; goods that left with a rider come back to the store (a restock). */
export function cancelled(o: OrderDoc, cause: CancelCause | undefined, reason: string, now: string): Outcome {
  const out = moveTo(o, 'cancelled', now, reason);
  const events = [...out.events!, cancelledEvent(o, reason)];
  if (cause === 'delivery_failed' && o.reservation.status === 'committed')
    events.push(undeliveredReturnEvent(o));
  return { order: out.order, events };
}

export function collected(o: OrderDoc, at: string, now: string): Outcome {
  const out = moveTo({ ...o, completedAt: at }, 'collected', now, 'collected at the store');
  return { order: out.order, events: [...out.events!, completedEvent(out.order, at)] };
}

/** Delivered: cash on delivery records what the rider collected (a mismatch is flagged for ops). */
export function delivered(o: OrderDoc, at: string, codCollected: Money | undefined, now: string): Outcome {
  let order: OrderDoc = { ...o, completedAt: at };
  if (o.payment.method === 'cod') {
    const collected = codCollected ?? o.amountDue;
    order = { ...order, payment: { ...o.payment, status: 'cod_paid', codCollected: collected } };
    if (collected.amountMinor !== o.amountDue.amountMinor || collected.currency !== o.amountDue.currency) {
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
}

/**
 * Handed to the carrier. A parcel Omni booked is completed when the carrier reports it delivered
 * (points accrue then); one booked outside Omni (the carrier's own tracking number, untracked here)
 * completes at hand-over, as nothing will report its delivery.
 */
export function shipped(o: OrderDoc, shipment: WorkflowParams['shipment'], now: string): Outcome {
  const booked = o.shipment?.bookedAt !== undefined;
  const order: OrderDoc = {
    ...o,
    ...(booked ? {} : { completedAt: now }),
    shipment: { ...shipment, ...o.shipment, at: now },
  };
  const out = moveTo(order, 'shipped', now, 'handed to the carrier');
  return {
    order: out.order,
    events: booked ? out.events! : [...out.events!, completedEvent(out.order, now)],
  };
}

/**
 * New carrier tracking steps of a shipped parcel; `delivered` delivers and completes the order.
 * Steps already recorded are not announced again (the tracking job may read the same history twice).
 */
export function tracked(
  o: OrderDoc,
  steps: Array<{ status: TrackingStatus; at: string }>,
  now: string,
): Outcome | null {
  const s = o.shipment;
  if (!s?.trackingNumber || o.status !== 'shipped') return null;
  const known = s.tracking ?? [];
  const fresh = steps.slice(known.length);
  if (fresh.length === 0) return null;
  const delivered = fresh.find((t) => t.status === 'delivered');
  let order: OrderDoc = {
    ...o,
    shipment: { ...s, tracking: [...known, ...fresh], ...(delivered ? { deliveredAt: delivered.at } : {}) },
  };
  const events: PendingEvent[] = fresh.map((t) =>
    emit(ShipmentTracked, {
      orderId: o._id,
      carrier: s.carrier ?? 'unknown',
      trackingNumber: s.trackingNumber!,
      status: t.status,
      at: t.at,
    }),
  );
  if (delivered) {
    const out = moveTo({ ...order, completedAt: delivered.at }, 'delivered', now, 'delivered by the carrier');
    order = out.order;
    events.push(...out.events!, completedEvent(order, delivered.at));
  }
  return { order, events };
}

/**
 * Units of a confirmed order are cancelled (short pick, policy cancel_lines): the lines shrink, the
 * totals and what the payment takes follow (the authorisation is captured for less later).
 */
export function linesCancelled(o: OrderDoc, short: Line[], reason: string, now: string): Outcome {
  const lines = o.lines
    .map((l) => ({ ...l, qty: l.qty - (short.find((s) => s.sku === l.sku)?.qty ?? 0) }))
    .filter((l) => l.qty > 0);
  const subtotal = sumLines(lines, o.currency);
  const total = add(subtotal, o.deliveryFee);
  const notCharged = subtract(o.total, total);
  const amountDue = max0(subtract(o.amountDue, notCharged));
  const order: OrderDoc = {
    ...withAttention(o, 'lines-cancelled', reason, now),
    lines,
    subtotal,
    total,
    amountDue,
    statusReason: reason,
  };
  return {
    order,
    events: [
      emit(
        OrderLinesCancelled,
        compact({
          orderId: o._id,
          customerId: o.customerId,
          lines: short,
          notCharged: subtract(o.amountDue, amountDue),
          reason,
        }),
      ),
    ],
  };
}

/**
 * A late compensation was paid: the first tier is the order's `compensation`, a remedy is recorded on
 * `late.remedy`. The platform pays first and settles with the late location (`chargeTo`).
 */
export function compensated(o: OrderDoc, c: LateCompensation): Outcome {
  const paid: LateCompensation = { ...c, paidBy: 'platform', chargeTo: o.fulfilment.locationId };
  if (paid.kind === 'refund_delivery_fee' || paid.kind === 'coupon') {
    const withCoupon: LateCompensation =
      paid.kind === 'coupon' && o.customerId
        ? { ...paid, coupon: { couponId: lateCouponId(o._id, 'fee'), value: paid.amount } }
        : paid;
    return { order: { ...o, compensation: withCoupon }, events: [compensatedEvent(o, withCoupon)] };
  }
  const remedy = o.late?.remedy;
  if (!o.late || !remedy) return { order: o };
  // A guest (no customer) has no wallet: a coupon cannot be issued to anyone.
  const final: LateCompensation = o.customerId || !paid.coupon ? paid : withoutCoupon(paid);
  return {
    order: { ...o, late: { ...o.late, remedy: { ...remedy, compensation: final } } },
    events: [compensatedEvent(o, final)],
  };
}

function withoutCoupon(c: LateCompensation): LateCompensation {
  const out = { ...c };
  delete out.coupon;
  return out;
}

/**
 * A delay was reported (dispatch's SLA check, or ops). The most minutes seen are kept; the first tier
 * is queued once; beyond the free-order threshold the customer is offered the remedy once, with a
 * deadline after which the default applies. A smaller or repeated report changes nothing.
 */
export function lateReported(
  o: OrderDoc,
  minutesLate: number,
  policy: Pick<
    OrdersPolicy,
    'lateFeeAfterMinutes' | 'lateFreeOrderAfterMinutes' | 'lateChoiceMinutes' | 'lateDefaultRemedy'
  >,
  now: string,
): Outcome | string {
  if (o.late && o.late.minutesLate >= minutesLate) return 'already reported as late';
  const tier = lateTier(minutesLate, policy);
  let order: OrderDoc = { ...o, late: { ...o.late, minutesLate, reportedAt: now } };
  const events: PendingEvent[] = [];
  if (tier !== 'none' && !o.compensation) {
    order =
      queued(order, {
        workflow: 'compensate_late',
        key: 'late:fee',
        params: { lateTier: 'fee', minutesLate },
        requestedAt: now,
      }) ?? order;
  }
  if (tier === 'remedy' && !o.late?.remedy) {
    const decideBy = new Date(Date.parse(now) + policy.lateChoiceMinutes * 60_000).toISOString();
    order = { ...order, late: { ...order.late!, remedy: { offeredAt: now, decideBy } } };
    events.push(lateRemedyOfferedEvent(o, minutesLate, decideBy, policy.lateDefaultRemedy));
  }
  return { order, events };
}

/** The remedy was chosen (by the customer, or by default after the deadline): its workflow is queued. */
export function lateRemedyChosen(
  o: OrderDoc,
  choice: LateRemedy,
  by: 'customer' | 'default',
  now: string,
): Outcome | string {
  const remedy = o.late?.remedy;
  if (!o.late || !remedy) return 'no remedy was offered for this order';
  if (remedy.choice) return remedy.choice === choice ? 'duplicate' : `${remedy.choice} was already chosen`;
  const order: OrderDoc = {
    ...o,
    late: { ...o.late, remedy: { ...remedy, choice, chosenBy: by, chosenAt: now } },
  };
  return {
    order:
      queued(order, {
        workflow: 'compensate_late',
        key: 'late:remedy',
        params: { lateTier: choice, chosenBy: by, minutesLate: o.late.minutesLate },
        requestedAt: now,
      }) ?? order,
  };
}

/** A return is refunded; the order is returned once every unit came back and every return is refunded. */
export function returnRefunded(o: OrderDoc, returnId: string | undefined, now: string): Outcome {
  const ret = o.returns.find((r) => r.returnId === returnId)!;
  const method =
    o.payment.method === 'card' ? 'card' : (ret.refund?.amountMinor ?? 0) > 0 ? 'manual' : 'none';
  let order: OrderDoc = {
    ...o,
    returns: o.returns.map((r) =>
      r.returnId === ret.returnId ? { ...r, status: 'refunded', refundMethod: method, refundedAt: now } : r,
    ),
  };
  const events: PendingEvent[] = [returnRefundedEvent(o, ret)];
  const everything = o.lines.every((l) => (o.returnedQty[l.sku] ?? 0) >= l.qty);
  const allSettled = order.returns.every((r) => r.status === 'refunded' || r.status === 'refused');
  if (everything && allSettled && o.status !== 'returned') {
    const out = moveTo(order, 'returned', now, 'every unit was returned');
    order = out.order;
    events.push(...out.events!);
  }
  return { order, events };
}
