import { inventory } from '@omni/proto';
import { channelToProto, statusOf } from '../clients/upstreams';
import { add, zero } from '../domain/money';
import { captureAmount, refundable } from '../domain/policy';
import type { Money, OrderDoc } from '../domain/types';
import { decisionOf, movedTo, withAttention } from '../domain/order-changes';
import { routeAway } from '../routing/route-order';
import { reservationIdFor } from '../domain/ids';
import { PaymentDeclinedError } from '../payment/port';
import { StepFailure, type Reducer, type Step, type StepContext } from './types';

/**
 * The saga steps, each with its compensation next to it. Idempotency keys are derived from the order:
 * reservation ids from the route attempt, `<orderId>:auth` for the card authorisation, `<orderId>:redeem`
 * and `<orderId>:refund-points` for points — so a retried or resumed step repeats, never duplicates.
 */

export const authKey = (orderId: string): string => `${orderId}:auth`;

// ---------------------------------------------------------------- inventory

async function reserve(
  ctx: StepContext,
  o: OrderDoc,
  reservationId: string,
  locationId: string,
): Promise<void> {
  await ctx.upstreams.inventory.reserve(
    {
      reservationId,
      locationId,
      lines: o.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      ttlSeconds: ctx.policy.reservationTtlSeconds,
      orderId: o._id,
      channel: channelToProto(o.channel),
    },
    { deadlineMs: ctx.remainingMs() },
  );
}

/** Releases a reservation. Unknown (never made) counts as released; committed is reported. */
export async function releaseReservation(
  ctx: StepContext,
  reservationId: string,
  reason: string,
): Promise<'released' | 'committed'> {
  try {
    await ctx.upstreams.inventory.release(
      { reservationId, lines: [], reason, operationId: `${reservationId}:release` },
      { deadlineMs: ctx.remainingMs() },
    );
    return 'released';
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return 'released';
    if (status !== 422 && status !== 409) throw err;
    // Not releasable: find out why (already committed, expired, released).
    const r = await ctx.upstreams.inventory.getReservation(
      { reservationId },
      { deadlineMs: ctx.remainingMs() },
    );
    if (r.status === inventory.ReservationStatus.RESERVATION_STATUS_COMMITTED) return 'committed';
    if (r.status === inventory.ReservationStatus.RESERVATION_STATUS_ACTIVE) throw err;
    return 'released';
  }
}

const isInsufficientStock = (err: unknown): boolean => statusOf(err) === 422;

/** Placement: reserve at the routed location; if its stock ran out meanwhile, move on (bounded). */
export const reserveStock: Step = {
  name: 'reserve_stock',
  async run(ctx, o) {
    let order = o;
    for (;;) {
      try {
        await reserve(ctx, order, order.reservation.reservationId, order.fulfilment.locationId);
        return (x) => ({ ...x, reservation: { ...x.reservation, status: 'active' } });
      } catch (err) {
        if (!isInsufficientStock(err)) {
          if (statusOf(err) === 404 || statusOf(err) === 400)
            throw new StepFailure('reserve-rejected', (err as Error).message);
          throw err;
        }
        const ranOut = `stock ran out at ${order.fulfilment.locationId} while reserving`;
        if (order.routeAttempt >= ctx.policy.maxRouteAttempts) {
          throw new StepFailure('insufficient-stock', `${ranOut}; ${order.routeAttempt + 1} locations tried`);
        }
        const next = await routeAway(ctx, order, ranOut, ctx.remainingMs(), { afterConfirmation: false });
        if (!next.ok) throw new StepFailure('insufficient-stock', `${ranOut}; ${next.reason}`);
        order = await ctx.save((x) => movedTo(x, next, ctx.clock().toISOString()));
      }
    }
  },
  async compensate(ctx, o) {
    if (o.reservation.status === 'released' || o.reservation.status === 'committed') return;
    await releaseReservation(ctx, o.reservation.reservationId, `order ${o._id} failed`);
    return (x) => ({ ...x, reservation: { ...x.reservation, status: 'released' } });
  },
};

/** Cancel: put the stock back on sale (the active reservation and a half-done re-route's). */
export const releaseStock: Step = {
  name: 'release_stock',
  when: (o) => o.reservation.status === 'active' || o.reservation.status === 'none' || !!o.pendingRoute,
  async run(ctx, o) {
    let status: 'released' | 'committed' = o.reservation.status === 'committed' ? 'committed' : 'released';
    if (o.reservation.status === 'active' || o.reservation.status === 'none') {
      status = await releaseReservation(ctx, o.reservation.reservationId, `order ${o._id} cancelled`);
    }
    if (o.pendingRoute)
      await releaseReservation(ctx, o.pendingRoute.reservationId, `order ${o._id} cancelled`);
    return (x) => ({ ...x, reservation: { ...x.reservation, status }, pendingRoute: null });
  },
};

/** Collection, hand-over to a rider, shipment: the reservation becomes a sale. */
export const commitStock: Step = {
  name: 'commit_stock',
  when: (o) => o.reservation.status !== 'committed',
  async run(ctx, o) {
    try {
      await ctx.upstreams.inventory.commit(
        { reservationId: o.reservation.reservationId },
        { deadlineMs: ctx.remainingMs() },
      );
      return (x) => ({ ...x, reservation: { ...x.reservation, status: 'committed' } });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 404 && status !== 422) throw err;
      // The goods have left anyway; inventory no longer holds the reservation (expired or released).
      const reason = `commit of ${o.reservation.reservationId} refused: ${(err as Error).message}`;
      return (x) => withAttention(x, 'commit-failed', reason, ctx.clock().toISOString());
    }
  },
};

// ---------------------------------------------------------------- re-routing

/** Re-route: route away from the current location and reserve at the new one FIRST. */
export const reserveNextLocation: Step = {
  name: 'reserve_next_location',
  async run(ctx, o) {
    let order = o;
    const why = order.saga?.params.reason ?? 're-route';
    for (;;) {
      let pending = order.pendingRoute;
      if (!pending) {
        if (order.routeAttempt >= ctx.policy.maxRouteAttempts) {
          throw new StepFailure(
            'no-location',
            `route attempts exhausted (${order.routeAttempt + 1} locations tried)`,
          );
        }
        const next = await routeAway(ctx, order, why, ctx.remainingMs(), { afterConfirmation: true });
        if (!next.ok) throw new StepFailure('no-location', next.reason);
        const attempt = order.routeAttempt + 1;
        const at = ctx.clock().toISOString();
        order = await ctx.save((x) => ({
          ...x,
          routeAttempt: attempt,
          pendingRoute: {
            route: decisionOf(next, attempt, at),
            reservationId: reservationIdFor(x._id, attempt),
            attempt,
            reserved: false,
          },
        }));
        pending = order.pendingRoute!;
      }
      try {
        await reserve(ctx, order, pending.reservationId, pending.route.locationId);
        return (x) => (x.pendingRoute ? { ...x, pendingRoute: { ...x.pendingRoute, reserved: true } } : x);
      } catch (err) {
        if (!isInsufficientStock(err)) throw err;
        const tried = pending.route.locationId;
        order = await ctx.save((x) => ({
          ...x,
          triedLocationIds: [...new Set([...x.triedLocationIds, tried])],
          pendingRoute: null,
        }));
      }
    }
  },
  async compensate(ctx, o) {
    if (!o.pendingRoute) return;
    await releaseReservation(ctx, o.pendingRoute.reservationId, `re-route of ${o._id} abandoned`);
    const tried = o.pendingRoute.route.locationId;
    return (x) => ({
      ...x,
      triedLocationIds: [...new Set([...x.triedLocationIds, tried])],
      pendingRoute: null,
    });
  },
};

/** Re-route: once the new location holds the stock, the old reservation goes back on sale. */
export const releasePreviousReservation: Step = {
  name: 'release_previous_reservation',
  when: (o) => o.reservation.status === 'active' || o.reservation.status === 'none',
  async run(ctx, o) {
    const status = await releaseReservation(ctx, o.reservation.reservationId, `order ${o._id} re-routed`);
    return (x) => ({ ...x, reservation: { ...x.reservation, status } });
  },
};

// ---------------------------------------------------------------- points

const redeemOp = (orderId: string): string => `${orderId}:redeem`;
const refundOp = (orderId: string): string => `${orderId}:refund-points`;

async function redeem(ctx: StepContext, o: OrderDoc): Promise<void> {
  await ctx.upstreams.customers.redeemPoints(
    { customerId: o.customerId!, points: o.points!.requested, orderId: o._id, operationId: redeemOp(o._id) },
    { deadlineMs: ctx.remainingMs() },
  );
}

async function refundPointsOf(ctx: StepContext, o: OrderDoc): Promise<Reducer> {
  await ctx.upstreams.customers.refundPoints(
    { customerId: o.customerId!, points: o.points!.requested, orderId: o._id, operationId: refundOp(o._id) },
    { deadlineMs: ctx.remainingMs() },
  );
  return (x) => (x.points ? { ...x, points: { ...x.points, refunded: true } } : x);
}

export const redeemPoints: Step = {
  name: 'redeem_points',
  when: (o) => !!o.points && o.points.requested > 0 && !!o.customerId,
  async run(ctx, o) {
    try {
      await redeem(ctx, o);
    } catch (err) {
      if (statusOf(err) === 422)
        throw new StepFailure(
          'insufficient-points',
          `customer ${o.customerId} has fewer than ${o.points!.requested} points`,
        );
      throw err;
    }
    return (x) => (x.points ? { ...x, points: { ...x.points, redeemed: true } } : x);
  },
  async compensate(ctx, o) {
    const p = o.points!;
    if (p.refunded) return;
    if (!p.redeemed) {
      if (ctx.failure?.step === 'redeem_points' && ctx.failure.code === 'insufficient-points') return;
      // Outcome unknown (the redeem attempt timed out): replaying the idempotent redeem tells whether it
      // happened — it returns the first result, or applies now — and the refund below then evens it out.
      try {
        await redeem(ctx, o);
      } catch (err) {
        if (statusOf(err) === 422) return; // never redeemed and cannot be now: nothing to give back
        throw err;
      }
    }
    return refundPointsOf(ctx, o);
  },
};

/** Cancel: points spent on the order come back. */
export const refundPoints: Step = {
  name: 'refund_points',
  when: (o) => !!o.points && o.points.redeemed && !o.points.refunded && !!o.customerId,
  run: (ctx, o) => refundPointsOf(ctx, o),
};

// ---------------------------------------------------------------- payment

export const authorizePayment: Step = {
  name: 'authorize_payment',
  when: (o) => o.payment.method === 'card' && o.amountDue.amountMinor > 0,
  async run(ctx, o) {
    const { authorizationId } = await ctx.payments.authorize(
      { key: authKey(o._id), orderId: o._id, amount: o.amountDue, cardToken: o.payment.cardToken ?? '' },
      ctx.signal,
    );
    return (x) => ({
      ...x,
      payment: { ...x.payment, status: 'authorized', authorizationId, authorized: x.amountDue },
    });
  },
  async compensate(ctx, o) {
    if (o.payment.status === 'voided') return;
    // Void by key also covers an authorisation whose answer was lost (timeout).
    await ctx.payments.void({ authorizationKey: authKey(o._id) }, ctx.signal);
    return (x) => ({ ...x, payment: { ...x.payment, status: 'voided' } });
  },
};

/** Collection, delivery, shipment: take the money (less any late-delivery refund granted earlier). */
export const capturePayment: Step = {
  name: 'capture_payment',
  when: (o) => o.payment.method === 'card' && o.payment.status === 'authorized',
  async run(ctx, o) {
    const amount = captureAmount(o);
    try {
      const { captured } = await ctx.payments.capture(
        { key: `${o._id}:capture`, authorizationKey: authKey(o._id), amount },
        ctx.signal,
      );
      return (x) => ({ ...x, payment: { ...x.payment, status: 'captured', captured } });
    } catch (err) {
      if (!(err instanceof PaymentDeclinedError)) throw err;
      // The goods are with the customer; the money needs ops (expired authorisation, provider refusal).
      const reason = `capture refused: ${(err as Error).message}`;
      return (x) =>
        withAttention(
          { ...x, payment: { ...x.payment, status: 'authorized' } },
          'capture-failed',
          reason,
          ctx.clock().toISOString(),
        );
    }
  },
};

/** Money going back on cancellation: void what is only authorised, refund what was captured. */
export function settleOnCancel(noShowFee: (o: OrderDoc) => Money | null): Step {
  return {
    name: 'settle_payment',
    when: (o) =>
      o.payment.method === 'card' &&
      ['pending', 'authorized', 'captured', 'partially_refunded'].includes(o.payment.status),
    async run(ctx, o) {
      const p = o.payment;
      if (p.status === 'captured' || p.status === 'partially_refunded') {
        const amount = refundable(o);
        if (amount.amountMinor > 0) {
          await ctx.payments.refund(
            { key: `${o._id}:refund-cancel`, authorizationKey: authKey(o._id), amount },
            ctx.signal,
          );
        }
        return (x) => ({
          ...x,
          payment: {
            ...x.payment,
            status: 'refunded',
            refunded: add(x.payment.refunded ?? zero(x.currency), amount),
          },
        });
      }
      const fee = p.status === 'authorized' ? noShowFee(o) : null;
      if (fee && fee.amountMinor > 0) {
        // Partial capture: the fee is kept, the rest of the hold is released by the provider.
        const { captured } = await ctx.payments.capture(
          { key: `${o._id}:capture`, authorizationKey: authKey(o._id), amount: fee },
          ctx.signal,
        );
        return (x) => ({ ...x, payment: { ...x.payment, status: 'captured', captured } });
      }
      await ctx.payments.void({ authorizationKey: authKey(o._id) }, ctx.signal);
      return (x) => ({ ...x, payment: { ...x.payment, status: 'voided' } });
    },
  };
}
