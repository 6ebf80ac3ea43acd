import { NotFoundError, type Actor, type AuditLog, type ServiceEvents } from '@omni/kit';
import type { DocumentStore } from '@omni/store';
import type { Logger } from 'pino';
import type { VoucherCodes } from '../domain/codes';
import type { StockPort } from '../inventory/port';
import type { VouchersCollections } from '../store/collections';
import type { VouchersMetrics } from './metrics';

/** Brute-force brake on code look-ups (see the README for the numbers). */
export interface ThrottleSettings {
  /** Failed look-ups a counter (store + account) may make per window before it is locked out. */
  counterFailures: number;
  /** Failed look-ups per store per window (every counter of the store together). */
  storeFailures: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  counterFailures: 10,
  storeFailures: 100,
  windowMs: 15 * 60_000,
};

/** Everything a use case needs; built once by the service. */
export interface VouchersContext {
  store: DocumentStore;
  collections: VouchersCollections;
  events: ServiceEvents;
  audit: AuditLog;
  codes: VoucherCodes;
  stock: StockPort | undefined;
  clock: () => Date;
  log: Logger;
  metrics: VouchersMetrics;
  throttle: ThrottleSettings;
  /** Stores that redeem vouchers (inventory's store locations); any other store id is 404. */
  stores: ReadonlySet<string>;
}

export type { Actor };
export const SYSTEM_ACTOR: Actor = { sub: 'vouchers', role: 'system' };

/** 404 for a store id vouchers does not know (no store-scoped read or write of a made-up store). */
export function requireStore(ctx: VouchersContext, storeId: string): void {
  if (!ctx.stores.has(storeId)) throw new NotFoundError('store', storeId, 'store-not-found');
}
