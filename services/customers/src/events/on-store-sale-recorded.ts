import { StoreSaleRecorded } from '@omni/contracts';
import type { Service } from '@omni/kit';
import { recordStoreSale } from '../app/record-store-sale';
import type { CustomersContext } from '../app/context';

/**
 * A till sale or return naming a member (inventory) → points and the member's purchases. Once per
 * sale id (the kit's inbox, and the store_sales record for a redelivery under another event id); a
 * member nobody holds is recorded as unknown-member and logged, never thrown.
 */
export function onStoreSaleRecorded(svc: Service, ctx: CustomersContext): void {
  svc.events.on(StoreSaleRecorded, async (event, { session }) => {
    const outcome = await recordStoreSale(ctx, session, event.data);
    if (outcome.result === 'unknown-member') {
      ctx.log.warn({ saleId: event.data.saleId, storeId: event.data.storeId }, 'till sale names no known member: flagged');
    } else {
      ctx.log.debug({ saleId: event.data.saleId, ...outcome }, 'till sale recorded');
    }
  });
}
