import type { AuditLog, ServiceEvents } from '@omni/kit';
import type { DocumentStore } from '@omni/store';
import type { Logger } from 'pino';
import type { PickupCodes } from '../domain/codes';
import type { PickupCollections } from '../store/collections';
import type { PickupMetrics } from './metrics';

/** Resolves a scanned barcode to a SKU of the store's assortment (undefined = unknown barcode). */
export type BarcodeResolver = (barcode: string, storeId: string) => Promise<string | undefined>;

/** Everything a use case needs; built once by the service. */
export interface PickupContext {
  store: DocumentStore;
  collections: PickupCollections;
  events: ServiceEvents;
  audit: AuditLog;
  codes: PickupCodes;
  clock: () => Date;
  metrics: PickupMetrics;
  log: Logger;
  resolveBarcode: BarcodeResolver;
}

/** Who acts: the kit's Actor (a principal from a token, or a system job). */
import type { Actor } from '@omni/kit';
export type { Actor };

export const SYSTEM_ACTOR: Actor = { sub: 'pickup', role: 'system' };
