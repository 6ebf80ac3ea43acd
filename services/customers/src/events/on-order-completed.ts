import { OrderCompleted } from '@omni/contracts';
import type { Service } from '@omni/kit';
import { accruePointsForOrder } from '../app/accrue-points';
import { applyPendingReversals } from '../app/reverse-return-points';
import type { CustomersContext } from '../app/context';

/**
 * OrderCompleted (online and in store) → points. Exactly once per event id through the kit's inbox,
 * and once per order whatever the event id (the accrual ledger entry is keyed by order). Never
 * throws for stale or odd events (guest order, unknown or erased customer): those are skipped.
 */
export function onOrderCompleted(svc: Service, ctx: CustomersContext): void {
  svc.events.on(OrderCompleted, async (event, { session }) => {
    const outcome = await accruePointsForOrder(ctx, session, event.data);
    if (outcome.result === 'unknown-customer') {
      ctx.log.warn({ orderId: event.data.orderId, customerId: event.data.customerId }, 'completed order of an unknown customer: no points');
    } else {
      ctx.log.debug({ orderId: event.data.orderId, ...outcome }, 'order completed');
      // A return refunded before this completion arrived (another topic) takes its points back now.
      if (outcome.result === 'accrued' || outcome.result === 'no-points') await applyPendingReversals(ctx, session, event.data.orderId);
    }
  });
}
