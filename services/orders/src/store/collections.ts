import type { Collection, DocumentStore } from '@omni/store';
import type { TicketDoc } from '../domain/tickets';
import type { OrderDoc } from '../domain/types';
import type { DeliveryZone } from '../domain/zones';

/** A delivery zone of dispatch (projection of dispatch.zone.changed); the highest version wins. */
export interface DeliveryZoneDoc extends DeliveryZone {
  _id: string;
  version: number;
  /** Deleted or inactive zones are kept (with their version) so an older event cannot revive them. */
  serving: boolean;
  city: string;
  name: string;
  [k: string]: unknown;
}

/**
 * Deliveries promised in one slot of one store of one zone: `_id` = `<zoneId>|<storeId>|<slot start>`.
 * `orderIds` holds the orders that hold it, so booking and releasing are idempotent per order;
 * `booked` = orderIds.length, kept in step so "has room" is one conditional update.
 */
export interface SlotDoc {
  _id: string;
  zoneId: string;
  storeId: string;
  from: string;
  to: string;
  capacity: number;
  booked: number;
  orderIds: string[];
  [k: string]: unknown;
}
import type { PurchaseCounterDoc } from './purchase-counters';

/** A store paused for pickup (projection of pickup.store.paused/resumed). */
export interface PausedStoreDoc {
  _id: string;
  paused: boolean;
  reason?: string;
  automatic?: boolean;
  /** Event time of the last change applied: older events are ignored. */
  changedAt: string;
  [k: string]: unknown;
}

/** A customer merged into another (projection of customers.customer.merged); chains are flattened. */
export interface CustomerMergeDoc {
  /** The merged (absorbed) customer id. */
  _id: string;
  survivorId: string;
  mergeId: string;
  mergedAt: string;
  [k: string]: unknown;
}

/** How long a product may be returned after its order completed (ops set it; absent: the default). */
export interface ReturnPolicyDoc {
  /** Catalog product id. */
  _id: string;
  /** 0 = not returnable. */
  windowDays: number;
  updatedAt: string;
  updatedBy: { sub: string; role: string };
  [k: string]: unknown;
}

export interface OrdersCollections {
  orders: Collection<OrderDoc>;
  pausedStores: Collection<PausedStoreDoc>;
  customerMerges: Collection<CustomerMergeDoc>;
  deliveryZones: Collection<DeliveryZoneDoc>;
  slots: Collection<SlotDoc>;
  purchaseCounters: Collection<PurchaseCounterDoc>;
  returnPolicies: Collection<ReturnPolicyDoc>;
  tickets: Collection<TicketDoc>;
}

export function ordersCollections(store: DocumentStore): OrdersCollections {
  return {
    orders: store.collection<OrderDoc>({
      name: 'orders',
      indexes: [
        // customer history, newest first
        { keys: { customerId: 1, createdAt: -1 } },
        // store staff: orders fulfilled by their store
        { keys: { 'fulfilment.locationId': 1, createdAt: -1 } },
        { keys: { status: 1, createdAt: -1 } },
        // the default-remedy sweep
        { keys: { 'late.remedy.decideBy': 1 } },
        { keys: { createdAt: -1 } },
        // unfinished sagas, found again after a restart
        { keys: { active: 1 } },
        // inventory events name the reservation, not always the order
        { keys: { 'reservation.reservationId': 1 } },
        // returns live on their order
        { keys: { 'returns.returnId': 1 } },
      ],
    }),
    pausedStores: store.collection<PausedStoreDoc>({
      name: 'paused_stores',
      indexes: [{ keys: { paused: 1 } }],
    }),
    customerMerges: store.collection<CustomerMergeDoc>({
      name: 'customer_merges',
      indexes: [{ keys: { survivorId: 1 } }],
    }),
    deliveryZones: store.collection<DeliveryZoneDoc>({
      name: 'delivery_zones',
      indexes: [{ keys: { serving: 1 } }],
    }),
    slots: store.collection<SlotDoc>({
      name: 'delivery_slots',
      indexes: [{ keys: { storeId: 1, from: 1 } }],
    }),
    purchaseCounters: store.collection<PurchaseCounterDoc>({
      name: 'purchase_counters',
      indexes: [{ keys: { customerId: 1, sku: 1 } }],
    }),
    returnPolicies: store.collection<ReturnPolicyDoc>({ name: 'return_policies' }),
    tickets: store.collection<TicketDoc>({
      name: 'tickets',
      indexes: [
        { keys: { orderId: 1 } },
        { keys: { locationId: 1, status: 1 } },
        { keys: { customerId: 1 } },
        { keys: { status: 1 } },
      ],
    }),
  };
}
