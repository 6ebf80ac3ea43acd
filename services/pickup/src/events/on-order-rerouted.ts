import { OrderRerouted } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { voidTaskOnReroute } from '../app/void-task-on-reroute';

/** orders.order.rerouted → the task at the old store is void. */
export function onOrderRerouted(svc: Service, ctx: PickupContext): void {
  svc.events.on(OrderRerouted, async (event, { session }) => {
    await voidTaskOnReroute(ctx, session, event.data);
  });
}
