import { catalogEvents } from '@omni/contracts';
import { createService, serviceOptionsFrom, type Service, type GrpcServiceDeps } from '@omni/kit';
import { createCatalogApp, type CatalogApp } from './app/catalog-app';
import { catalogMetrics, type CatalogContext } from './app/context';
import { onAvailabilityChanged } from './events/on-availability-changed';
import { catalogGrpc } from './grpc/catalog-service';
import { registerCategoryRoutes } from './http/categories';
import { registerProductRoutes } from './http/products';
import { registerSkuRoutes } from './http/skus';
import { registerParityRoutes } from './http/parity';
import { catalogCollections } from './store/collections';

export interface CatalogDeps extends GrpcServiceDeps {
  /** Price and range parity between online and stores (default on): gaps need ops and are audited. */
  parity?: boolean;
}

/** The kit's Service plus the catalog's use cases (for the seed, the runtime and tests). */
export interface CatalogService extends Service {
  readonly catalog: CatalogApp;
}

/**
 * Builds the catalog service: products with SKUs, prices per channel and store, listings and
 * publication; categories; the availability projection fed by inventory; REST (public reads,
 * `catalog:write` for changes), gRPC CatalogService.GetSkus (`catalog:read`). Call start() to serve.
 */
export function buildCatalogService(deps: CatalogDeps): CatalogService {
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'catalog',
    description:
      'Products, SKUs, prices per channel and store, listings, categories; storefront reads with availability.',
  });
  svc.events.registry.produces(...catalogEvents);

  const ctx: CatalogContext = {
    collections: catalogCollections(deps.store),
    store: deps.store,
    events: svc.events,
    audit: svc.audit,
    clock: deps.clock ?? (() => new Date()),
    metrics: catalogMetrics(svc.metrics),
    parity: deps.parity ?? true,
  };
  const catalog = createCatalogApp(ctx);

  registerCategoryRoutes(svc.app, catalog);
  registerProductRoutes(svc.app, catalog);
  registerSkuRoutes(svc.app, catalog);
  registerParityRoutes(svc.app, catalog);
  catalogGrpc(svc, catalog);
  onAvailabilityChanged(svc, ctx);

  return Object.assign(svc, { catalog });
}
