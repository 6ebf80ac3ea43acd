import { AvailabilityChanged } from '@omni/contracts';
import type { Service } from '@omni/kit';
import { projectAvailability } from '../app/project-availability';
import type { CatalogContext } from '../app/context';

/** inventory → catalog: keeps the availability projection the product reads show. */
export function onAvailabilityChanged(svc: Service, ctx: CatalogContext): void {
  svc.events.on(AvailabilityChanged, async (event, { session }) => {
    const outcome = await projectAvailability(ctx, session, event.data);
    if (outcome === 'stale') {
      svc.log.debug({ sku: event.data.sku, version: event.data.version, eventId: event.id }, 'stale availability dropped');
    }
  });
}
