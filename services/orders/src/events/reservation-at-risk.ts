import { ReservationAtRisk } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, ignored, inStatus, onReservation, queueFromEvent } from './guards';

/**
 * A store sale (often synced late) left less stock than reserved where the order's reservation is:
 * move the order before the store finds the shelf empty. Only while nothing was picked yet — once
 * ready or with a rider, the goods are set aside physically and the reservation stands.
 */
export function onReservationAtRisk(ctx: OrdersContext): void {
  ctx.svc.events.on(ReservationAtRisk, async (event, { session }) => {
    const d = event.data;
    const orderId =
      d.orderId ??
      (
        await ctx.cols.orders.findOne(
          { 'reservation.reservationId': d.reservationId },
          { session, projection: { _id: 1 } },
        )
      )?._id;
    if (!orderId) {
      ignored(ctx, event.type, d.reservationId, null);
      return;
    }
    const short = d.shortLines.map((l) => `${l.sku} x${l.qty}`).join(', ');
    const queued = await queueFromEvent(
      ctx,
      session,
      event.type,
      orderId,
      (o) => all(inStatus(o, 'confirmed'), onReservation(o, d.reservationId)),
      () => ({
        workflow: 'reroute',
        key: `reroute:${d.reservationId}`,
        params: {
          reservationId: d.reservationId,
          fromLocationId: d.locationId,
          reason: `stock at risk at ${d.locationId} (${d.cause.kind}${short ? `: ${short}` : ''})`,
        },
      }),
    );
    if (queued) ctx.metrics.reroutes.inc({ trigger: 'at-risk' });
  });
}
