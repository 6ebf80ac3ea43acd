import { orderEvents } from '@omni/contracts';
import { createService, serviceOptionsFrom, type Service, type ServiceDeps } from '@omni/kit';
import type { OrdersContext, OrdersEnv, OrdersMetrics } from './app/context';
import { applyDefaultRemedies } from './app/late-delivery';
import { settle } from './app/request-work';
import { trackShipments } from './app/track-shipments';
import type { CarrierPort } from './carrier/port';
import { SimulatedCarrier, type SimulatedCarrierOptions } from './carrier/simulated-carrier';
import type { OrderDoc } from './domain/types';
import { createUpstreams, type UpstreamAddresses, type Upstreams } from './clients/upstreams';
import { onCustomerMerged } from './events/on-customer-merged';
import { onDeliveryDelivered } from './events/on-delivery-delivered';
import { onDeliveryFailed } from './events/on-delivery-failed';
import { onDeliveryLate } from './events/on-delivery-late';
import { onVoucherRefundRequested } from './events/on-voucher-refund-requested';
import { onDeliveryAssigned } from './events/on-delivery-assigned';
import { onDeliveryPickedUp } from './events/on-delivery-picked-up';
import { onPickupStorePauses } from './events/on-pickup-store-paused';
import { onPickupTaskCollected } from './events/on-pickup-task-collected';
import { onPickupTaskExpired } from './events/on-pickup-task-expired';
import { onPickupTaskReady } from './events/on-pickup-task-ready';
import { onPickupTaskShortPicked } from './events/on-pickup-task-short-picked';
import { onOrderPacked } from './events/on-order-packed';
import { onReservationAtRisk } from './events/on-reservation-at-risk';
import { onStoreRejected } from './events/on-store-rejected';
import { registerLateDeliveryRoutes } from './http/late-delivery';
import { registerOrderRoutes } from './http/orders';
import { registerReturnPolicyRoutes } from './http/return-policies';
import { registerReturnRoutes } from './http/returns';
import { registerQuoteRoutes } from './http/quotes';
import { registerTicketRoutes } from './http/tickets';
import type { PaymentProvider } from './payment/port';
import { SimulatedCardProvider, type SimulatedCardOptions } from './payment/simulated-card';
import { SagaRunner } from './saga/runner';
import type { StepEnv } from './saga/types';
import { onStorePurchaseRecorded } from './events/on-store-purchase-recorded';
import { buildWorkflows } from './saga/workflows';
import { DEFAULT_POLICY, DEFAULT_TIMINGS, type OrdersPolicy, type OrdersTimings } from './settings';
import { ordersCollections } from './store/collections';
import { PurchaseCounters } from './store/purchase-counters';
import { OrderRepository } from './store/order-repository';
import { outboxPublisher } from './store/outbox';
import { pausedStores } from './store/paused-stores';
import { servingZones } from './store/delivery-zones';
import { SlotBook } from './store/slot-book';
import { onDeliveryZoneChanged } from './events/on-delivery-zone-changed';

export interface OrdersServiceDeps extends ServiceDeps, UpstreamAddresses {
  /** The payment provider; default a SimulatedCardProvider built from `simulatedCard`. */
  payments?: PaymentProvider;
  simulatedCard?: SimulatedCardOptions;
  /** The parcel carrier; default a SimulatedCarrier on the service clock. */
  carrier?: CarrierPort;
  simulatedCarrier?: SimulatedCarrierOptions;
  timings?: Partial<OrdersTimings>;
  policy?: Partial<OrdersPolicy>;
}

/** Hooks for the runtime and tests. */
export interface OrdersControls {
  /** Drives every unfinished saga whose lease is free now (also runs on start and periodically). */
  resumeSagas(): Promise<number>;
  /** Runs the order's pending work to completion (or `ms`), returns the order as stored. */
  settle(orderId: string, ms?: number): Promise<OrderDoc | null>;
  readonly payments: PaymentProvider;
  readonly carrier: CarrierPort;
  /** One pass of the carrier-tracking job (tests call it instead of waiting for the timer). */
  trackShipments(): Promise<number>;
  readonly upstreams: Upstreams;
  /** The saga runner's instance id (lease owner). */
  readonly instanceId: string;
  readonly policy: OrdersPolicy;
  readonly timings: OrdersTimings;
}

export interface OrdersService extends Service {
  readonly orders: OrdersControls;
}

/**
 * Builds the orders service: placement (priced by catalog, routed with inventory), the persisted order
 * saga (reserve → redeem points → authorise payment → confirm, each step with its compensation),
 * re-routing, lifecycle from pickup/dispatch/inventory events, cancellations, returns, history and
 * search. REST under /v1; events omni.orders.* through the outbox; no gRPC server.
 */
export function buildOrdersService(deps: OrdersServiceDeps): OrdersService {
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'orders',
    description:
      'Orders: placement, routing, the order saga, re-routing, lifecycle, cancellations and returns.',
    grpc: false,
  });
  svc.events.registry.produces(...orderEvents);

  const policy: OrdersPolicy = { ...DEFAULT_POLICY, ...deps.policy };
  const timings: OrdersTimings = { ...DEFAULT_TIMINGS, ...deps.timings };
  const clock = deps.clock ?? (() => new Date());
  const collections = ordersCollections(deps.store);
  const upstreams = createUpstreams(deps, timings.stepTimeoutMs);
  const payments = deps.payments ?? new SimulatedCardProvider(deps.simulatedCard);
  const repo = new OrderRepository(deps.store, collections, outboxPublisher(svc.events), clock);
  const carrier = deps.carrier ?? new SimulatedCarrier({ clock, ...deps.simulatedCarrier });
  const env: OrdersEnv = {
    upstreams,
    policy,
    timings,
    clock,
    pausedStores: () => pausedStores(collections),
    deliveryZones: () => servingZones(collections),
    slots: new SlotBook(collections),
    carrier,
  };
  const stepEnv: StepEnv = {
    ...env,
    payments,
    limits: new PurchaseCounters(collections.purchaseCounters, clock),
    log: svc.log,
  };
  const m = svc.metrics;
  const metrics: OrdersMetrics = {
    placed: m.counter(
      'orders_placed_total',
      'Orders placed, by fulfilment method and status at answer time',
      ['method', 'outcome'],
    ),
    refused: m.counter('orders_refused_total', 'Placements refused before an order was created, by reason', [
      'code',
    ]),
    reroutes: m.counter('orders_reroutes_total', 'Re-routes requested, by trigger', ['trigger']),
    eventsIgnored: m.counter(
      'orders_events_ignored_total',
      'Consumed events that did not apply (stale, duplicate, unknown order)',
      ['type', 'why'],
    ),
  };
  const runner = new SagaRunner(repo, collections.orders, stepEnv, buildWorkflows(policy), {
    stepDuration: m.histogram(
      'orders_saga_step_duration_seconds',
      'Saga step attempts by outcome',
      ['workflow', 'step', 'outcome'],
      [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
    ),
    workflows: m.counter('orders_workflows_total', 'Workflows completed, compensated or dropped', [
      'workflow',
      'outcome',
    ]),
    compensationRetries: m.counter(
      'orders_compensation_retries_total',
      'Failed compensation attempts (retried until they succeed)',
      ['workflow', 'step'],
    ),
  });
  const ctx: OrdersContext = { svc, collections, repo, runner, env, metrics };
  const activeSagas = m.gauge('orders_active_sagas', 'Orders with unfinished workflows (counted at scrape)');
  svc.app.addHook('onRequest', async (req) => {
    if (req.url === '/metrics') activeSagas.set(await collections.orders.countDocuments({ active: true }));
  });

  registerOrderRoutes(svc.app, ctx);
  registerReturnRoutes(svc.app, ctx);
  registerQuoteRoutes(svc.app, ctx);
  registerLateDeliveryRoutes(svc.app, ctx);
  registerReturnPolicyRoutes(svc.app, ctx);
  registerTicketRoutes(svc.app, ctx);

  onPickupTaskReady(svc, ctx);
  onPickupTaskShortPicked(svc, ctx);
  onPickupTaskCollected(svc, ctx);
  onPickupTaskExpired(svc, ctx);
  onPickupStorePauses(svc, ctx);
  onStoreRejected(svc, ctx);
  onDeliveryAssigned(svc, ctx);
  onDeliveryPickedUp(svc, ctx);
  onDeliveryDelivered(svc, ctx);
  onDeliveryFailed(svc, ctx);
  onDeliveryLate(svc, ctx);
  onReservationAtRisk(svc, ctx);
  onOrderPacked(svc, ctx);
  onCustomerMerged(svc, ctx);
  onDeliveryZoneChanged(svc, ctx);
  onStorePurchaseRecorded(svc, ctx, stepEnv.limits);
  onVoucherRefundRequested(svc, ctx);

  // Sagas resume once the store is ready. On shutdown the runner stops before HTTP drains, so requests
  // waiting for a saga answer at once (202); steps are aborted and resumed by the next instance.
  svc.onStart(() => runner.start());
  // Every replica sweeps for sagas to resume; each order is claimed with its own fenced lease.
  svc.jobs.every({
    name: 'saga-resume',
    everyMs: timings.resumeIntervalMs,
    owner: 'replica',
    run: () => runner.resumeAll(),
  });
  svc.jobs.every({
    name: 'late-remedy-default',
    everyMs: timings.lateRemedySweepMs ?? 30_000,
    owner: 'lease',
    run: () => applyDefaultRemedies(ctx),
  });
  // Parcels on their way: one replica reads the carrier's tracking (delivered completes the order).
  svc.jobs.every({
    name: 'carrier-tracking',
    everyMs: timings.carrierTrackingMs,
    owner: 'lease',
    run: (job) => trackShipments(ctx, job.stillOwner).then(() => undefined),
  });
  svc.app.addHook('preClose', async () => {
    await runner.stop();
  });
  svc.onStop(async () => {
    await runner.stop();
    upstreams.close();
  });

  const orders: OrdersControls = {
    resumeSagas: () => runner.resumeAll(),
    settle: (orderId, ms = timings.placeWaitMs) => settle(ctx, orderId, ms),
    payments,
    carrier,
    trackShipments: () => trackShipments(ctx),
    upstreams,
    instanceId: runner.instanceId,
    policy,
    timings,
  };
  return Object.assign(svc, { orders });
}
