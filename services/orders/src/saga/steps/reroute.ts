import { decisionOf } from '../../domain/order-changes';
import { reservationIdFor } from '../../domain/ids';
import { routeAway } from '../../routing/route-order';
import { StepFailure, type Step } from '../types';
import { isInsufficientStock, releaseReservation, reserve } from './inventory';

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
