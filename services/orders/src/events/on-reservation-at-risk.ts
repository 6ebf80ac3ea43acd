import type { Service } from '@omni/kit';
import { OrderAttentionRaised, ReservationAtRisk } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import type { OrderDoc } from '../domain/types';
import { withAttention } from '../domain/order-changes';
import { emit } from '../domain/outcome';
import { all, inStatus, onReservation } from '../domain/guards';
import { changeFromEvent, ignored, queueFromEvent } from './handle';

// ship: packed at its location (OrderPacked), the parcel is sealed.
const HAND_OVERS = new Set(['collect', 'hand_to_rider', 'deliver', 'ship']);

/**
 * The goods are physically set aside for the customer: picked and waiting at the counter, packed
 * for a rider who accepted the job, with a rider, or a hand-over already under way. Moving such an
 * order would strand the unit in the bag.
 */
function picked(o: OrderDoc): boolean {
  if (o.status === 'ready_for_pickup' || o.status === 'out_for_delivery') return true;
  if (o.status !== 'confirmed') return false;
  if (o.riderAssigned?.storeId === o.fulfilment.locationId) return true;
  return [o.saga?.workflow, ...o.queue.map((q) => q.workflow)].some(
    (w) => w !== undefined && HAND_OVERS.has(w),
  );
}

export const PICKED_STOCK_AT_RISK = 'picked-stock-at-risk';

/**
 * A store sale (often synced late) left less stock than reserved where the order's reservation is.
 * Before picking: move the order before the store finds the shelf empty. Once picked, the unit in
 * the bag is real and the till sold one that was not there: the order stays, and the store and ops
 * are told (attention on the order + OrderAttentionRaised) so they can recount and fix the till;
 * the hand-over still books the goods leaving (inventory commits into a flagged negative on hand).
 */
export function onReservationAtRisk(svc: Service, ctx: OrdersContext): void {
  svc.events.on(ReservationAtRisk, async (event, { session }) => {
    const d = event.data;
    const order = d.orderId
      ? await ctx.collections.orders.findById(d.orderId, { session })
      : await ctx.collections.orders.findOne({ 'reservation.reservationId': d.reservationId }, { session });
    if (!order) {
      ignored(ctx, event.type, d.orderId ?? d.reservationId, null);
      return;
    }
    const orderId = order._id;
    const short = d.shortLines.map((l) => `${l.sku} x${l.qty}`).join(', ');
    const cause = `${d.cause.kind}${short ? `: ${short}` : ''}`;

    if (picked(order)) {
      await changeFromEvent(ctx, session, event.type, orderId, (o) => {
        const ok = all(picked(o) ? true : `order is ${o.status}`, onReservation(o, d.reservationId));
        if (ok !== true) return ok;
        const at = ctx.env.clock().toISOString();
        const reason = `stock at ${d.locationId} short after the order was picked (${cause}); the picked units stand, recount the shelf`;
        return {
          order: withAttention(o, PICKED_STOCK_AT_RISK, reason, at),
          events: [
            emit(OrderAttentionRaised, {
              orderId,
              locationId: d.locationId,
              code: PICKED_STOCK_AT_RISK,
              reason,
            }),
          ],
        };
      });
      return;
    }

    // A short pick of part of a ship order, when the policy ships the rest rather than moving it all.
    const partial = d.shortLines.some((s) => order.lines.some((l) => l.sku === s.sku && l.qty > 0));
    const keepsSomething = order.lines.some(
      (l) => l.qty > (d.shortLines.find((s) => s.sku === l.sku)?.qty ?? 0),
    );
    if (
      d.cause.kind === 'short-pick' &&
      ctx.env.policy.shortPickPolicy === 'cancel_lines' &&
      order.fulfilment.method === 'ship' &&
      partial &&
      keepsSomething
    ) {
      await queueFromEvent(
        ctx,
        session,
        event.type,
        orderId,
        (o) => all(inStatus(o, 'confirmed'), onReservation(o, d.reservationId)),
        () => ({
          workflow: 'cancel_lines',
          key: `cancel-lines:${d.reservationId}:${d.cause.opId ?? ''}`,
          params: {
            reservationId: d.reservationId,
            lines: d.shortLines,
            reason: `short pick at ${d.locationId} (${short}): cancelled, the rest ships`,
          },
        }),
      );
      return;
    }

    const queued = await queueFromEvent(
      ctx,
      session,
      event.type,
      orderId,
      (o) => all(inStatus(o, 'confirmed'), onReservation(o, d.reservationId), picked(o) ? 'picked' : true),
      () => ({
        workflow: 'reroute',
        key: `reroute:${d.reservationId}`,
        params: {
          reservationId: d.reservationId,
          fromLocationId: d.locationId,
          reason: `stock at risk at ${d.locationId} (${cause})`,
        },
      }),
    );
    if (queued) ctx.metrics.reroutes.inc({ trigger: 'at-risk' });
  });
}
