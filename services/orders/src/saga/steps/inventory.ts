import { inventory } from '@omni/proto';
import { channelToProto, statusOf } from '../../clients/upstreams';
import { movedTo, withAttention } from '../../domain/order-changes';
import type { OrderDoc } from '../../domain/types';
import { routeAway } from '../../routing/route-order';
import { StepFailure, type Step, type StepContext } from '../types';

/**
 * Inventory steps: reserve at placement (compensated by a release), release on cancel, commit when the
 * goods leave. Reservation ids are derived from the order's route attempt, so a retried or resumed step
 * repeats, never duplicates.
 */

export async function reserve(
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

export const isInsufficientStock = (err: unknown): boolean => statusOf(err) === 422;

/** Placement: reserve at the routed location; if its stock ran out meanwhile, move on (bounded). */
export const reserveStock: Step = {
  name: 'reserve_stock',
  // Voucher orders reserve nothing: a goods voucher sells from the redeeming store's stock later.
  when: (o) => o.fulfilment.method !== 'voucher',
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
  when: (o) =>
    o.fulfilment.method !== 'voucher' &&
    (o.reservation.status === 'active' || o.reservation.status === 'none' || !!o.pendingRoute),
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
