import type { Service } from '@omni/kit';
import { DeliveryAssigned } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import { all, atLocation, inStatus, method } from '../domain/guards';
import { riderAssigned } from '../domain/order-changes';
import { changeFromEvent } from './handle';

/**
 * A rider accepted the job: the store packs the parcel for them. Remembered so that stock at risk
 * at this store no longer moves the order (the unit set aside is real) but is raised to the store.
 */
export function onDeliveryAssigned(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryAssigned, async (event, { session }) => {
    const d = event.data;
    await changeFromEvent(ctx, session, event.type, d.orderId, (o) => {
      const ok = all(method(o, 'delivery'), inStatus(o, 'confirmed'), atLocation(o, d.storeId));
      if (ok !== true) return ok;
      return {
        order: riderAssigned(o, { storeId: d.storeId, riderId: d.riderId, jobId: d.jobId, at: event.time }),
      };
    });
  });
}
