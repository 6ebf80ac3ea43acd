import websocket from '@fastify/websocket';
import { createService, serviceOptionsFrom, type Service, type ServiceDeps } from '@omni/kit';
import { dispatchEvents } from '@omni/contracts';
import { RiderBoard } from './domain/assignment';
import { ZoneCache, type DispatchContext, type DispatchMetrics } from './app/context';
import { Dispatcher } from './app/dispatcher';
import { announceZones } from './app/manage-zones';
import { onOrderCancelled } from './events/on-order-cancelled';
import { onOrderConfirmed } from './events/on-order-confirmed';
import { onOrderRerouted } from './events/on-order-rerouted';
import { registerCustomerRoutes } from './http/customer-routes';
import { registerOpsJobRoutes } from './http/ops-job-routes';
import { RiderHub } from './http/rider-hub';
import { FanOutPush } from './http/push-fanout';
import { registerRiderRoutes } from './http/rider-routes';
import { registerRiderSocketRoute } from './http/rider-socket';
import { registerStoreRoutes } from './http/store-routes';
import { registerZoneRoutes } from './http/zone-routes';
import { resolveSettings, type DispatchSettingsInput } from './settings';
import { declareCollections } from './store/collections';

export interface DispatchDeps extends ServiceDeps {
  /** Timings, speeds and policies; see DEFAULT_SETTINGS. `tickMs: 0` disables background timers. */
  settings?: DispatchSettingsInput;
}

export type DispatchService = Service & {
  /** Time-driven jobs, callable with an explicit `now`: tick, expireOffers, checkSla, ... */
  dispatch: Dispatcher;
  /** In-memory spatial projection of riders (exposed for benchmarks and diagnostics). */
  board: RiderBoard;
  /** Open rider WebSockets of this instance. */
  hub: RiderHub;
  ctx: DispatchContext;
};

/**
 * Dispatch: delivery zones, riders and their shifts, delivery jobs from confirmed local-delivery
 * orders, store confirmation, rider offers (WebSocket + HTTP), batching, proof of delivery, SLA,
 * cash on delivery. Consumes orders.order.{confirmed,rerouted,cancelled}; produces dispatch.delivery.*.
 */
export function buildDispatchService(deps: DispatchDeps): DispatchService {
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'dispatch',
    description: 'Riders, zones, offers, batching, proof of delivery, SLA',
    grpc: false,
    bodyLimit: 256 * 1024,
  });
  const settings = resolveSettings(deps.settings);
  const col = declareCollections(deps.store);
  const socketsGauge = svc.metrics.gauge('dispatch_rider_sockets', 'Open rider WebSockets');
  const hub = new RiderHub((n) => socketsGauge.set(n));
  const board = new RiderBoard(settings.gridCellKm);
  const push = new FanOutPush(hub, deps.bus, svc.log);
  const metrics: DispatchMetrics = {
    offers: svc.metrics.counter(
      'dispatch_offers_total',
      'Rider offers by outcome (made, accepted, declined, expired)',
      ['outcome'],
    ),
    noRider: svc.metrics.counter('dispatch_no_rider_total', 'Searches that found no rider'),
    deliveries: svc.metrics.counter('dispatch_deliveries_total', 'Delivery attempts by outcome', ['outcome']),
    late: svc.metrics.counter('dispatch_late_total', 'Deliveries reported late (SLA missed)'),
    storeRejections: svc.metrics.counter(
      'dispatch_store_rejections_total',
      'Jobs rejected by stores (or not confirmed in time)',
      ['timedOut'],
    ),
    rankSeconds: svc.metrics.histogram(
      'dispatch_rank_seconds',
      'Time to rank riders for one job',
      [],
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    ),
  };
  const ctx: DispatchContext = {
    store: deps.store,
    collections: col,
    events: svc.events,
    audit: svc.audit,
    board,
    zones: new ZoneCache(col),
    push,
    settings,
    clock: deps.clock ?? (() => new Date()),
    log: svc.log,
    metrics,
    afterCommit: (fx) => dispatcher.afterCommit(fx),
  };
  const dispatcher = new Dispatcher(ctx);

  svc.events.registry.produces(...dispatchEvents);
  onOrderConfirmed(svc, ctx);
  onOrderRerouted(svc, ctx);
  onOrderCancelled(svc, ctx);

  svc.app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  registerZoneRoutes(svc.app, ctx);
  registerRiderRoutes(svc.app, ctx);
  registerStoreRoutes(svc.app, ctx);
  registerCustomerRoutes(svc.app, ctx);
  registerOpsJobRoutes(svc.app, ctx, dispatcher);
  registerRiderSocketRoute(svc.app, ctx, hub, svc.authenticator);

  // Offer/confirmation timeouts, due searches and SLA: one replica (the lease holder) at a time.
  svc.jobs.every({
    name: 'dispatch-tick',
    everyMs: settings.tickMs,
    owner: 'lease',
    leaseMs: Math.max(5_000, 3 * settings.tickMs),
    run: () => dispatcher.tick(),
  });
  // Orders projects zones from their events; a periodic re-announcement makes it converge.
  svc.jobs.every({
    name: 'zone-announce',
    everyMs: settings.zoneAnnounceMs,
    owner: 'lease',
    run: () => announceZones(ctx),
  });
  // The rider board is this replica's memory: every replica refreshes its own.
  svc.jobs.every({
    name: 'board-resync',
    everyMs: settings.resyncMs,
    owner: 'replica',
    run: () => dispatcher.resyncBoard(),
  });
  // A revoked token (account disabled, logout everywhere) closes its open sockets at once.
  let unwatch: (() => void) | undefined;
  svc.onStart(async () => {
    await ctx.zones.ensureLoaded();
    // Orders keeps its own copy of the zones: announce them (it drops versions it already holds).
    await announceZones(ctx);
    const riders = await dispatcher.loadBoard();
    svc.log.info({ riders }, 'dispatch board loaded');
    await push.start();
    const revocations = svc.authenticator.revocations;
    unwatch = revocations.onRevoked(() => {
      const closed = hub.closeRevoked(revocations);
      if (closed > 0) svc.log.info({ closed }, 'closed rider sockets of revoked tokens');
    });
  });
  svc.onStop(async () => {
    unwatch?.();
    hub.closeAll();
    await push.stop();
    await dispatcher.whenIdle();
  });

  return Object.assign(svc, { dispatch: dispatcher, board, hub, ctx });
}
