import type { OrdersContext } from './context';
import { tracked } from '../domain/order-changes';

/** Shipped orders read per pass of the tracking job. */
const BATCH = 200;

/**
 * Reads the carrier's tracking of every parcel Omni booked and is still on its way, records new
 * steps (ShipmentTracked) and delivers the order when the carrier says delivered — that completes
 * it, and customers accrue points then. Run by one replica at a time (lease); every write is a
 * versioned order update, so a pass racing another changes each order once.
 */
export async function trackShipments(
  ctx: OrdersContext,
  stillOwner: () => boolean = () => true,
): Promise<number> {
  let changed = 0;
  let cursor: string | null = null;
  do {
    const page = await ctx.collections.orders.page(
      { status: 'shipped', 'shipment.bookedAt': { $exists: true } },
      { limit: BATCH, cursor },
    );
    for (const o of page.items) {
      if (!stillOwner()) return changed;
      const s = o.shipment!;
      const steps = await ctx.env.carrier.track(
        {
          carrier: s.carrier ?? '',
          trackingNumber: s.trackingNumber ?? '',
          labelUrl: s.labelUrl ?? '',
          bookedAt: s.bookedAt!,
        },
        { deadlineMs: ctx.env.timings.stepTimeoutMs },
      );
      const now = ctx.env.clock().toISOString();
      const before = o.version;
      const after = await ctx.repo.update(o._id, (x) => tracked(x, steps, now));
      if (after && after.version !== before) changed++;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return changed;
}
