import type { AuditLog, Metrics, ServiceEvents } from '@omni/kit';
import type { DocumentStore } from '@omni/store';
import type { Counter } from 'prom-client';
import type { CatalogCollections } from '../store/collections';

/** Who acts: the kit's Actor (a principal, or a system job such as the seed). */
export type { Actor } from '@omni/kit';

export interface CatalogMetrics {
  priceChanges: Counter<'channel' | 'kind'>;
  publications: Counter<'action'>;
  skuLookups: Counter<'result'>;
  availabilityUpdates: Counter<'outcome'>;
}

export function catalogMetrics(metrics: Metrics): CatalogMetrics {
  return {
    priceChanges: metrics.counter('catalog_price_changes_total', 'Price changes by channel and kind (base, override, override-removed)', ['channel', 'kind']),
    publications: metrics.counter('catalog_publications_total', 'Products published / unpublished', ['action']),
    skuLookups: metrics.counter('catalog_sku_lookups_total', 'SKUs answered by GetSkus, by sellable / reason', ['result']),
    availabilityUpdates: metrics.counter('catalog_availability_updates_total', 'AvailabilityChanged events applied or dropped as stale', ['outcome']),
  };
}

/** Everything a use case needs; built once by the service. */
export interface CatalogContext {
  collections: CatalogCollections;
  store: DocumentStore;
  events: Pick<ServiceEvents, 'publish'>;
  audit: Pick<AuditLog, 'record'>;
  clock: () => Date;
  metrics: CatalogMetrics;
  /** Price and range parity policy on (app/parity.ts). */
  parity: boolean;
}

export function nowIso(ctx: Pick<CatalogContext, 'clock'>): string {
  return ctx.clock().toISOString();
}
