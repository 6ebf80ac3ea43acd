import type { Service } from '@omni/kit';
import { DeliveryZoneChanged } from '@omni/contracts';
import type { OrdersContext } from '../app/context';
import type { AreaGeometry } from '../domain/zones';

/**
 * Dispatch's delivery zones, projected so quotes and placement decide serviceability without a call
 * (checkout keeps working, and fast, when dispatch is slow or down). Each event carries the zone's
 * whole state and version: a redelivered or older event changes nothing.
 */
export function onDeliveryZoneChanged(svc: Service, ctx: OrdersContext): void {
  svc.events.on(DeliveryZoneChanged, async (event, { session }) => {
    const d = event.data;
    const current = await ctx.collections.deliveryZones.findById(d.zoneId, { session });
    if (current && current.version >= d.version) return;
    await ctx.collections.deliveryZones.replaceOne(
      { _id: d.zoneId },
      {
        _id: d.zoneId,
        zoneId: d.zoneId,
        version: d.version,
        serving: d.active && !d.deleted,
        city: d.city,
        name: d.name,
        area: d.area as AreaGeometry,
        stores: d.stores.map((s) => ({ storeId: s.storeId, geo: { lat: s.geo.lat, lng: s.geo.lng } })),
        maxTripMinutes: d.maxTripMinutes,
        travel: d.travel,
        slotMinutes: d.slotMinutes,
        slotCapacity: d.slotCapacity,
      },
      { session, upsert: true },
    );
  });
}
