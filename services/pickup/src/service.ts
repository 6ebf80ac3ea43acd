import { createService, serviceOptionsFrom, type Service, type ServiceDeps } from '@omni/kit';
import {
  PickupStorePaused,
  PickupStoreResumed,
  PickupTaskCollected,
  PickupTaskCreated,
  PickupTaskExpired,
  PickupTaskReady,
  PickupTaskShortPicked,
} from '@omni/contracts';
import type { BarcodeResolver, PickupContext } from './app/context';
import { deliverNotifications } from './app/deliver-notifications';
import { expireNoShows } from './app/expire-no-shows';
import { pickupMetrics } from './app/metrics';
import { notifyExpiring } from './app/notify-expiring';
import { checkThrottling } from './app/pause-store';
import { PickupCodes } from './domain/codes';
import { onOrderCancelled } from './events/on-order-cancelled';
import { onOrderConfirmed } from './events/on-order-confirmed';
import { onOrderRerouted } from './events/on-order-rerouted';
import { registerCustomerRoutes } from './http/customer-routes';
import { registerOpsRoutes } from './http/ops-routes';
import { registerStoreRoutes } from './http/store-routes';
import { registerSyncRoutes } from './http/sync-routes';
import { registerTaskRoutes } from './http/task-routes';
import { LogNotifier } from './notifications/log-notifier';
import type { Notifier } from './notifications/port';
import { ensureStore, pickupCollections } from './store/collections';

export interface PickupServiceDeps extends ServiceDeps {
  /** Deployment secret for pickup codes, code hashes and the QR signing key (≥ 16 bytes; use 32+). */
  codeSecret: string | Buffer;
  codeDigits?: number;
  /**
   * Store ids (inventory location ids) that offer pickup, known before their first order. Pickup also
   * learns a store from the first pickup order routed to it; any other store id is 404.
   */
  stores?: readonly string[];
  /** Customer notifications. Default: log lines. */
  notifier?: Notifier;
  /** Barcode → SKU for scans by barcode. Default: the barcode is the SKU. */
  resolveBarcode?: BarcodeResolver;
  timings?: {
    /** Expiry, reminders and throttling. Default 30 s. */
    sweepIntervalMs?: number;
    /** Notification delivery poll (also woken by new notifications). Default 5 s. */
    notifyIntervalMs?: number;
    /** Sends per notification before it is marked failed. Default 8. */
    notificationMaxSends?: number;
    /** First retry delay of a failed notification, doubled per send. Default 30 s. */
    notificationRetryBaseMs?: number;
    /** Send a new notification right after its commit rather than at the next poll. Default true. */
    notifyOnCommit?: boolean;
  };
}

/** Background jobs, also callable directly (tests pass `now` instead of waiting). */
export interface PickupJobs {
  /** Ready tasks past their hold → expired (PickupTaskExpired). Returns how many. */
  expireDue(now?: Date): Promise<number>;
  /** Ready tasks in the last hours of their hold → one "expiring" notification each. */
  notifyExpiring(now?: Date): Promise<number>;
  /** Automatic store pause / resume from the overdue backlog. */
  checkThrottling(
    now?: Date,
  ): Promise<Array<{ storeId: string; action: 'paused' | 'resumed'; overdue: number }>>;
  /** Sends due customer notifications. */
  deliverNotifications(now?: Date): Promise<{ sent: number; failed: number; retrying: number }>;
  /** All of the above, in that order. */
  runJobs(now?: Date): Promise<void>;
  readonly codes: PickupCodes;
}

export type PickupService = Service & PickupJobs;

export function buildPickupService(deps: PickupServiceDeps): PickupService {
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'pickup',
    description:
      'Store pickup (BOPIS): store queues, pickup codes, hand-over, no-shows, store pause, offline counter sync.',
    grpc: false,
  });
  const clock = deps.clock ?? (() => new Date());
  const codes = new PickupCodes({ secret: deps.codeSecret, digits: deps.codeDigits });
  const ctx: PickupContext = {
    store: deps.store,
    collections: pickupCollections(deps.store),
    events: svc.events,
    audit: svc.audit,
    codes,
    clock,
    metrics: pickupMetrics(svc.metrics),
    log: svc.log,
    resolveBarcode: deps.resolveBarcode ?? (async (barcode) => barcode),
  };
  const notifier = deps.notifier ?? new LogNotifier(svc.log);
  const timings = deps.timings ?? {};

  svc.events.registry.produces(
    PickupTaskCreated,
    PickupTaskReady,
    PickupTaskShortPicked,
    PickupTaskCollected,
    PickupTaskExpired,
    PickupStorePaused,
    PickupStoreResumed,
  );
  onOrderConfirmed(svc, ctx);
  onOrderRerouted(svc, ctx);
  onOrderCancelled(svc, ctx);

  registerCustomerRoutes(svc.app, ctx);
  registerTaskRoutes(svc.app, ctx);
  registerStoreRoutes(svc.app, ctx);
  registerSyncRoutes(svc.app, ctx);
  registerOpsRoutes(svc.app, ctx);

  const jobs: PickupJobs = {
    codes,
    expireDue: (now = clock()) => expireNoShows(ctx, now),
    notifyExpiring: (now = clock()) => notifyExpiring(ctx, now),
    checkThrottling: (now = clock()) => checkThrottling(ctx, now),
    deliverNotifications: (now = clock()) =>
      deliverNotifications(
        ctx,
        { notifier, maxAttempts: timings.notificationMaxSends, retryBaseMs: timings.notificationRetryBaseMs },
        now,
      ),
    runJobs: async (now = clock()) => {
      await jobs.expireDue(now);
      await jobs.notifyExpiring(now);
      await jobs.checkThrottling(now);
      await jobs.deliverNotifications(now);
    },
  };

  // Kit jobs: one replica (the lease holder) runs each, one run at a time; a failed run is logged
  // and retried on the next tick.
  svc.jobs.every({
    name: 'pickup-sweep',
    everyMs: timings.sweepIntervalMs ?? 30_000,
    owner: 'lease',
    run: async () => {
      const now = clock();
      await jobs.expireDue(now);
      await jobs.notifyExpiring(now);
      await jobs.checkThrottling(now);
    },
  });
  svc.jobs.every({
    name: 'pickup-notify',
    everyMs: timings.notifyIntervalMs ?? 5_000,
    owner: 'lease',
    run: () => jobs.deliverNotifications(),
  });
  let unsubscribe: (() => void) | undefined;
  svc.onStart(async () => {
    // Tasks from before counters went QR-only carry a PBKDF2 verifier of their code: drop it at rest.
    await ctx.collections.tasks.updateMany(
      { 'code.offline': { $exists: true } },
      { $unset: { 'code.offline': '' } },
    );
    for (const storeId of deps.stores ?? []) await ensureStore(ctx.collections, storeId, clock());
    // A committed notification is sent soon: a run now by whichever replica holds (or takes) the lease.
    if (timings.notifyOnCommit !== false)
      unsubscribe = deps.store.onInsert('pickup_notifications', () =>
        setImmediate(() => svc.jobs.runNow('pickup-notify').catch(() => undefined)),
      );
  });
  svc.onStop(async () => {
    unsubscribe?.();
  });

  return Object.assign(svc, jobs);
}
