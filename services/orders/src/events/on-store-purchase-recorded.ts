import { StorePurchaseRecorded } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { OrdersContext } from '../app/context';
import type { PurchaseCounters } from '../store/purchase-counters';

/**
 * A till sale matched to a member (customers) counts against that customer's purchase limits, so a
 * limit holds across channels once the member is known. Once per sale (the counter's claim), whatever
 * the redelivery. A till return gives nothing back: the limit counts what was bought.
 */
export function onStorePurchaseRecorded(svc: Service, ctx: OrdersContext, limits: PurchaseCounters): void {
  svc.events.on(StorePurchaseRecorded, async (event, { session }) => {
    const { customerId, saleId, kind, lines, occurredAt } = event.data;
    if (kind !== 'sale') {
      ctx.metrics.eventsIgnored.inc({ type: 'store-purchase-recorded', why: 'return' });
      return;
    }
    await limits.recordBought(customerId, `till:${saleId}`, occurredAt, lines, session);
  });
}
