import { NotFoundError } from '@omni/kit';
import type { Collection, DocumentStore, Session } from '@omni/store';
import type { PickupTask } from '../domain/task';
import type { OrderTrack } from '../domain/order-track';
import { DEFAULT_STORE_CONFIG, type PickupStore } from '../domain/store';

/** Open pickup codes per store: `_id = storeId:codeHash`, so two open tasks of a store never share a code. */
export interface OpenCode {
  _id: string;
  storeId: string;
  taskId: string;
  [k: string]: unknown;
}

/** One offline counter action, by client op id: applied exactly once, its outcome replayed on retry. */
export interface SyncOp {
  _id: string;
  storeId: string;
  clientOpId: string;
  taskId: string;
  type: string;
  at: string;
  result: SyncOpResult;
  [k: string]: unknown;
}

export interface SyncOpResult {
  clientOpId: string;
  taskId: string;
  outcome: 'applied' | 'rejected' | 'conflict';
  state?: string;
  error?: { status: number; type: string; detail: string; attemptsLeft?: number };
  conflictId?: string;
}

export type ConflictKind =
  | 'collected-after-cancel'
  | 'collected-after-reroute'
  | 'collected-after-expiry'
  | 'collected-after-short'
  | 'collected-offline-code-invalid'
  | 'collected-while-locked'
  | 'cancelled-after-collected'
  | 'rerouted-after-collected';

/** Something the system could not reconcile on its own (goods handed over vs. a void order): for ops. */
export interface PickupConflict {
  _id: string;
  kind: ConflictKind;
  storeId: string;
  orderId: string;
  taskId: string;
  detectedAt: string;
  taskState: string;
  detail: string;
  clientOpId?: string;
  offlineCollectedAt?: string;
  status: 'open' | 'resolved';
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
  [k: string]: unknown;
}

export type NotificationKind = 'ready' | 'expiring';

/** A customer notification to send (written with the state change; delivered after commit, with retries). */
export interface PendingNotification {
  _id: string;
  kind: NotificationKind;
  taskId: string;
  orderId: string;
  storeId: string;
  customerId?: string;
  holdUntil: string;
  createdAt: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  sentAt?: string;
  [k: string]: unknown;
}

export interface PickupCollections {
  tasks: Collection<PickupTask>;
  stores: Collection<PickupStore>;
  orders: Collection<OrderTrack>;
  openCodes: Collection<OpenCode>;
  syncOps: Collection<SyncOp>;
  conflicts: Collection<PickupConflict>;
  notifications: Collection<PendingNotification>;
}

export function pickupCollections(store: DocumentStore): PickupCollections {
  return {
    tasks: store.collection<PickupTask>({
      name: 'pickup_tasks',
      indexes: [
        { keys: { orderId: 1, routeAttempt: 1 }, unique: true },
        { keys: { storeId: 1, seq: 1 } },
        { keys: { storeId: 1, state: 1, promisedReadyAt: 1 } },
        { keys: { storeId: 1, promisedReadyAt: 1 } },
        { keys: { state: 1, holdUntil: 1 } },
      ],
    }),
    stores: store.collection<PickupStore>('pickup_stores'),
    orders: store.collection<OrderTrack>('pickup_orders'),
    openCodes: store.collection<OpenCode>('pickup_open_codes'),
    syncOps: store.collection<SyncOp>({ name: 'pickup_sync_ops', indexes: [{ keys: { at: 1 } }] }),
    conflicts: store.collection<PickupConflict>({
      name: 'pickup_conflicts',
      indexes: [{ keys: { status: 1, detectedAt: 1 } }, { keys: { storeId: 1, detectedAt: 1 } }],
    }),
    notifications: store.collection<PendingNotification>({
      name: 'pickup_notifications',
      indexes: [{ keys: { status: 1, nextAttemptAt: 1 } }],
    }),
  };
}

/**
 * The store's row, or 404. Pickup knows a store from its configuration (`stores`, seeded at start)
 * or from the first pickup order routed to it (orders only routes to inventory's locations); a store
 * id nobody ever mentioned is unknown rather than silently created.
 */
export async function requireStore(
  c: PickupCollections,
  storeId: string,
  session?: Session,
): Promise<PickupStore> {
  const doc = await c.stores.findById(storeId, { session });
  if (!doc) throw new NotFoundError('store', storeId, 'store-not-found');
  return doc;
}

/** The store's row, created with the default config on first use (start-up seeding, first order). */
export async function ensureStore(
  c: PickupCollections,
  storeId: string,
  now: Date,
  session?: Session,
): Promise<PickupStore> {
  const doc = await c.stores.findOneAndUpdate(
    { _id: storeId },
    { $setOnInsert: { seq: 0, config: DEFAULT_STORE_CONFIG, pause: {}, updatedAt: now.toISOString() } },
    { upsert: true, session },
  );
  if (!doc) throw new Error(`store ${storeId} could not be created`);
  return doc;
}

/** Next change-feed sequence of a store (inside the caller's transaction, with the change it numbers). */
export async function nextSeq(
  c: PickupCollections,
  storeId: string,
  now: Date,
  session: Session,
): Promise<number> {
  const doc = await c.stores.findOneAndUpdate(
    { _id: storeId },
    {
      $inc: { seq: 1 },
      $setOnInsert: { config: DEFAULT_STORE_CONFIG, pause: {}, updatedAt: now.toISOString() },
    },
    { upsert: true, session },
  );
  if (!doc) throw new Error(`store ${storeId} could not be numbered`);
  return doc.seq;
}
