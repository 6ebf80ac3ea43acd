import type { Collection, DocumentStore } from '@omni/store';
import type { TicketDoc } from '../domain/tickets';
import type { OrderDoc } from '../domain/types';

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
