import type { DeliveryZone } from '../domain/zones';
import type { OrdersCollections } from './collections';

/** Zones that serve today (projected from dispatch), read from the store: every replica sees the same. */
export async function servingZones(cols: OrdersCollections): Promise<DeliveryZone[]> {
  return cols.deliveryZones.find({ serving: true });
}
