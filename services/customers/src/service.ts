import { createService, serviceOptionsFrom, type Service, type GrpcServiceDeps } from '@omni/kit';
import { customers as pb } from '@omni/proto';
import {
  CouponExpired,
  CouponIssued,
  CouponRedeemed,
  CouponReleased,
  CustomerCreated,
  CustomerErased,
  CustomerMerged,
  LevelChanged,
  PointsChanged,
  StorePurchaseRecorded,
} from '@omni/contracts';
import { DEFAULT_POINTS_POLICY, validateLevels, type PointsPolicy } from './domain/points';
import { openCollections } from './store/collections';
import type { CustomersContext } from './app/context';
import { expireDuePoints, type ExpiryRun } from './app/expire-points';
import { reconcilePoints, type PointsReconciliation } from './app/queries/points-query';
import { registerCustomerRoutes } from './http/customers-routes';
import { registerMeRoutes } from './http/me-routes';
import { registerStoreRoutes } from './http/store-routes';
import { customersGrpcHandlers } from './grpc/customers-grpc';
import { onOrderCompleted } from './events/on-order-completed';
import { onStoreSaleRecorded } from './events/on-store-sale-recorded';
import { onOrderCompensated } from './events/on-order-compensated';
import { registerCouponRoutes } from './http/coupon-routes';
import { registerNotificationRoutes } from './http/notification-routes';
import { deliverCustomerNotifications } from './app/notifications';
import { LogNotifier } from './notifications/log-notifier';
import type { CustomerNotifier } from './notifications/port';
import { onOrderConfirmed } from './events/on-order-confirmed';
import { onOrderCancelled } from './events/on-order-cancelled';
import { onOrderStatusChanged } from './events/on-order-status-changed';
import { onOrderLateRemedyOffered } from './events/on-order-late-remedy-offered';
import { onReturnRefunded } from './events/on-return-refunded';
import { expireDueCoupons } from './app/coupons';
import type { MemberNotifier } from './app/member-presence';

export interface CustomersServiceDeps extends GrpcServiceDeps {
  /** Points per currency unit, validity, level thresholds. Default DEFAULT_POINTS_POLICY. */
  points?: Partial<PointsPolicy>;
  /** Country calling code for national phone numbers ("0…"), e.g. "44". */
  defaultCountryCode?: string;
  /** Interval of the points expiry sweep; 0 disables the timer (tests call expireDue). Default 1 h. */
  expiryIntervalMs?: number;
  /** Validity of coupons issued without an explicit one (late-delivery coupons). Default 90 days. */
  couponValidityDays?: number;
  /** Interval of the coupon expiry sweep. Default 10 min. */
  couponExpiryIntervalMs?: number;
  /** Where order notifications go. Default: a log line (the notifications API shows them either way). */
  notifier?: CustomerNotifier;
  /** How often pending notifications are sent. Default 2 s. */
  notifyIntervalMs?: number;
  /** Sends per notification before it is marked failed; delay after the first failure (doubled). */
  notifyMaxAttempts?: number;
  notifyRetryBaseMs?: number;
  /** Sends members the one-time codes that prove presence at a counter. None: only member cards. */
  memberNotifier?: MemberNotifier;
}

export interface CustomersService extends Service {
  /** Expires every unspent coupon due at `now` (default: the clock). The coupon sweep calls it too. */
  expireCoupons(now?: Date): Promise<number>;
  /** Expires every lot of points due at `now` (default: the clock). The sweep timer calls it too. */
  expireDue(now?: Date): Promise<ExpiryRun>;
  /** Balance vs. sum of the ledger vs. sum of the lots, for one customer record. */
  reconcilePoints(customerId: string): Promise<PointsReconciliation>;
  /** The use cases' context (seeding, the embedded runtime, tests). */
  readonly customers: CustomersContext;
}

/**
 * The customers service: one customer across online accounts, phones, member cards and messaging
 * ids; merges; points and member levels; consents and addresses; export and erasure.
 */
export function buildCustomersService(deps: CustomersServiceDeps): CustomersService {
  const policy: PointsPolicy = { ...DEFAULT_POINTS_POLICY, ...deps.points };
  validateLevels(policy.levels);
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'customers',
    description: 'Customers: identities, merges, points and levels, consents, export and erasure',
  });
  const m = svc.metrics;
  const ctx: CustomersContext = {
    store: deps.store,
    collections: openCollections(deps.store),
    events: svc.events,
    audit: svc.audit,
    clock: deps.clock ?? (() => new Date()),
    policy,
    identity: deps.defaultCountryCode ? { defaultCountryCode: deps.defaultCountryCode } : {},
    log: svc.log,
    metrics: {
      customersCreated: m.counter('customers_created_total', 'Customer records created, by origin channel', [
        'origin',
      ]),
      merges: m.counter('customers_merges_total', 'Customer merges, by trigger', ['trigger']),
      points: m.counter('customers_points_moved_total', 'Points moved through the ledger, by kind', ['kind']),
      erasures: m.counter('customers_erasures_total', 'Customers erased on request'),
      storeSales: m.counter('customers_store_sales_total', 'Till sales and returns handled, by kind and status (matched, unknown-member)', [
        'kind',
        'status',
      ]),
    },
  };

  onStoreSaleRecorded(svc, ctx);
  svc.events.registry.produces(
    CustomerCreated,
    CustomerMerged,
    PointsChanged,
    LevelChanged,
    CustomerErased,
    StorePurchaseRecorded,
    CouponIssued,
    CouponRedeemed,
    CouponReleased,
    CouponExpired,
  );
  const couponValidityDays = deps.couponValidityDays ?? 90;
  onOrderCompleted(svc, ctx);
  onOrderCompensated(svc, ctx, couponValidityDays);
  onOrderConfirmed(svc, ctx);
  onOrderCancelled(svc, ctx);
  onOrderStatusChanged(svc, ctx);
  onOrderLateRemedyOffered(svc, ctx);
  onReturnRefunded(svc, ctx);

  registerCustomerRoutes(svc.app, ctx);
  registerMeRoutes(svc.app, ctx);
  registerStoreRoutes(svc.app, ctx, deps.memberNotifier);
  registerCouponRoutes(svc.app, ctx, couponValidityDays);
  registerNotificationRoutes(svc.app, ctx);
  if (deps.grpc !== false) svc.grpc.add(pb.CustomersServiceService, customersGrpcHandlers(ctx));

  const expireDue = (now?: Date) => expireDuePoints(ctx, now ?? ctx.clock());
  const intervalMs = deps.expiryIntervalMs ?? 3_600_000;
  // One replica expires points (lease): replicas racing the same ledgers only conflict.
  svc.jobs.every({
    name: 'points-expiry',
    everyMs: intervalMs,
    owner: 'lease',
    run: async () => {
      const run = await expireDue();
      if (run.points > 0) svc.log.info(run, 'points expired');
    },
  });

  const notifier = deps.notifier ?? new LogNotifier(svc.log);
  // Every replica sends: each notification is claimed (conditional update) before it is sent.
  svc.jobs.every({
    name: 'customer-notifications',
    everyMs: deps.notifyIntervalMs ?? 2_000,
    owner: 'replica',
    run: () =>
      deliverCustomerNotifications(ctx, {
        notifier,
        ...(deps.notifyMaxAttempts ? { maxAttempts: deps.notifyMaxAttempts } : {}),
        ...(deps.notifyRetryBaseMs ? { retryBaseMs: deps.notifyRetryBaseMs } : {}),
      }),
  });
  svc.jobs.every({
    name: 'coupon-expiry',
    everyMs: deps.couponExpiryIntervalMs ?? 600_000,
    owner: 'lease',
    run: async () => {
      const expired = await expireDueCoupons(ctx);
      if (expired > 0) svc.log.info({ expired }, 'coupons expired');
    },
  });

  return Object.assign(svc, {
    expireDue,
    expireCoupons: (now?: Date) => expireDueCoupons(ctx, now),
    reconcilePoints: (customerId: string) => reconcilePoints(ctx, customerId),
    customers: ctx,
  });
}
