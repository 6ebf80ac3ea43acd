import { ReturnReceived } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { InventoryContext } from '../app/context';
import { receiveReturn } from '../app/receive-return';
import { inSession } from '../app/transaction';

/** Orders announces returned goods (customer returns, failed deliveries): they go back into stock here. */
export function onReturnReceived(svc: Service, ctx: InventoryContext): void {
  svc.events.on(ReturnReceived, async (event, { session }) => {
    const { returnId, orderId, locationId, lines } = event.data;
    if (!locationId) {
      svc.log.warn({ returnId, orderId }, 'return received without a location: nothing to restock');
      return;
    }
    const result = await inSession(ctx, session, (tx) =>
      receiveReturn(tx, {
        returnId,
        orderId,
        locationId,
        lines,
        actor: { sub: 'system:orders-returns', role: 'system' },
      }),
    );
    svc.log.info({ returnId, orderId, locationId, ...result }, 'return received into stock');
  });
}
