import { onCatalogProduct } from './events/on-catalog-product';
import { onReturnReceived } from './events/on-return-received';
import { inventoryEvents } from '@omni/contracts';
import { createService, serviceOptionsFrom, type Service, type GrpcServiceDeps } from '@omni/kit';
import {
  DEFAULT_SETTINGS,
  type InventoryContext,
  type InventoryMetrics,
  type InventorySettings,
} from './app/context';
import { createInventoryApp, type InventoryApp } from './app/inventory-app';
import { AvailabilityPublisher } from './app/publish-availability';
import { inventoryGrpc } from './grpc/inventory-service';
import { registerAvailabilityRoutes } from './http/availability';
import { registerLocationRoutes } from './http/locations';
import { registerOpsRoutes } from './http/ops';
import { registerPickingRoutes } from './http/picking';
import { registerPosSyncRoutes } from './http/pos-sync';
import { registerReservationRoutes } from './http/reservations';
import { registerStockRoutes } from './http/stock';
import { registerTransferRoutes } from './http/transfers';
import { registerRestockRoutes } from './http/restock';
import { registerPurchasingRoutes } from './http/purchasing';
import { registerReportRoutes } from './http/reports';
import { inventoryCollections } from './store/collections';

export interface InventoryDeps extends GrpcServiceDeps {
  /** TTL default, debounce, sweep period, low thresholds; defaults in DEFAULT_SETTINGS. */
  settings?: Partial<InventorySettings>;
}

/** The kit's Service plus inventory's use cases (for the seed helper, the runtime and tests). */
export interface InventoryService extends Service {
  readonly inventory: InventoryApp;
}

/**
 * Builds the inventory service: locations, stock levels with their movement ledger, reservations
 * with TTL, channel ATP and fulfilment search, store POS sync, transfers, counts, goods-in with QC,
 * low-stock alerts; REST under /v1 and gRPC InventoryService; events omni.inventory.* through the
 * outbox. Background jobs (reservation expiry, debounced AvailabilityChanged) run between start()
 * and stop().
 */
export function buildInventoryService(deps: InventoryDeps): InventoryService {
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'inventory',
    description:
      'One stock pool over warehouses and stores: locations, levels, ledger, reservations, ATP, POS sync, transfers.',
  });
  svc.events.registry.produces(...inventoryEvents);

  const metrics: InventoryMetrics = {
    movements: svc.metrics.counter('inventory_movements_total', 'Ledger movements by reason', ['reason']),
    reservations: svc.metrics.counter(
      'inventory_reservations_total',
      'Reservation outcomes (created, replayed, refused, committed, released, expired, failed)',
      ['outcome'],
    ),
    posOps: svc.metrics.counter('inventory_pos_ops_total', 'POS ops by sync outcome', ['status']),
    atRisk: svc.metrics.counter(
      'inventory_reservations_at_risk_total',
      'Reservations announced at risk by store sales',
    ),
    lowStock: svc.metrics.counter('inventory_low_stock_alerts_total', 'LowStock alerts raised'),
  };
  const settings: InventorySettings = { ...DEFAULT_SETTINGS, ...deps.settings };
  const ctx: InventoryContext = {
    store: deps.store,
    collections: inventoryCollections(deps.store),
    events: svc.events,
    clock: deps.clock ?? (() => new Date()),
    settings,
    metrics,
    // Called only after build (by committed transactions), when `availability` exists.
    onAvailabilityTouched: (skus) => availability.markDirty(skus),
    audit: (entry, session) => svc.audit.record(entry, session),
  };
  const availability = new AvailabilityPublisher(ctx, svc.log);
  const inventory = createInventoryApp(ctx, availability);

  registerLocationRoutes(svc.app, inventory);
  registerStockRoutes(svc.app, inventory);
  registerReservationRoutes(svc.app, inventory);
  registerAvailabilityRoutes(svc.app, inventory);
  registerPosSyncRoutes(svc.app, inventory);
  registerTransferRoutes(svc.app, inventory);
  registerRestockRoutes(svc.app, inventory);
  registerPurchasingRoutes(svc.app, inventory);
  registerReportRoutes(svc.app, inventory);
  registerOpsRoutes(svc.app, inventory);
  registerPickingRoutes(svc.app, ctx);
  inventoryGrpc(svc, inventory);
  onReturnReceived(svc, ctx);
  onCatalogProduct(svc, ctx);

  // Reservation expiry on the service clock, by the one replica holding the job's lease (replicas
  // racing the same reservations aborted each other's sweeps); tests call inventory.expireDue(now).
  svc.jobs.every({
    name: 'reservation-expiry',
    everyMs: settings.expirySweepMs,
    owner: 'lease',
    run: (job) => inventory.expireDue(ctx.clock(), job.stillOwner),
  });
  // Min/max replenishment rules, on shared data: one replica at a time.
  svc.jobs.every({
    name: 'replenishment-rules',
    everyMs: settings.replenishmentEveryMs,
    owner: 'lease',
    run: async (job) => {
      await inventory.replenish(job.stillOwner);
    },
  });
  svc.onStart(async () => {
    await availability.start();
  });
  svc.onStop(async () => {
    await availability.stop();
  });

  return Object.assign(svc, { inventory });
}
