import type { Service } from '@omni/kit';
import { StoreRejected } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method } from '../domain/guards';
import { queueFromEvent } from './handle';

/** The store rejected (or did not confirm) the delivery job: move the order to the next location. */
export function onStoreRejected(svc: Service, ctx: OrdersContext): void {
  svc.events.on(StoreRejected, async (event, { session }) => {
    const d = event.data;
    const queued = await queueFromEvent(
      ctx,
      session,
      event.type,
      d.orderId,
      (o) => all(method(o, 'delivery'), inStatus(o, 'confirmed'), atLocation(o, d.storeId)),
      (o) => ({
        workflow: 'reroute',
        key: `reroute:${o.reservation.reservationId}`,
        params: {
          reservationId: o.reservation.reservationId,
          fromLocationId: d.storeId,
          reason: d.timedOut
            ? `store ${d.storeId} did not confirm the delivery in time`
            : `store ${d.storeId} rejected the delivery: ${d.reason}`,
        },
      }),
    );
    if (queued) ctx.metrics.reroutes.inc({ trigger: 'store-rejected' });
  });
}
