import type { EventData, EventDefinition } from '@omni/events';
import type { AuditInput } from '@omni/kit';
import type { DocumentStore, Session } from '@omni/store';
import type { Counter } from 'prom-client';
import type { Actor, StockLevelDoc } from '../domain/types';
import type { InventoryCollections } from '../store/collections';

export interface InventorySettings {
  /** TTL of a reservation when the caller gives none. */
  reservationTtlSeconds: number;
  maxReservationTtlSeconds: number;
  /** AvailabilityChanged is published at most once per SKU per this period (latest state wins). */
  availabilityDebounceMs: number;
  /** How often the expiry job looks for reservations past their TTL. */
  expirySweepMs: number;
  /** Online ATP at or below this shows as "low" on storefronts. */
  onlineLowThreshold: number;
  /** A store's ATP at or below this (or its reorder point, when set) shows as "low". */
  storeLowThreshold: number;
  /** How often min/max replenishment rules are evaluated. */
  replenishmentEveryMs: number;
  /** Units replenishment rules may order per location per UTC day (transfers and purchases). */
  replenishmentDailyUnitBudget: number;
}

export const DEFAULT_SETTINGS: InventorySettings = {
  reservationTtlSeconds: 15 * 60,
  // Pickup orders hold stock through preparation and the collection window (days, not minutes).
  maxReservationTtlSeconds: 14 * 24 * 3600,
  availabilityDebounceMs: 250,
  expirySweepMs: 1_000,
  onlineLowThreshold: 5,
  storeLowThreshold: 2,
  replenishmentEveryMs: 60_000,
  replenishmentDailyUnitBudget: 1_000,
};

/** Writes an event into the outbox within the caller's transaction (the kit's `svc.events`). */
export interface EventSink {
  publish<D extends EventDefinition>(
    session: Session,
    def: D,
    e: { subject: string; data: EventData<D> },
  ): Promise<unknown>;
}

export interface InventoryMetrics {
  movements: Counter<'reason'>;
  reservations: Counter<'outcome'>;
  posOps: Counter<'status'>;
  atRisk: Counter<string>;
  lowStock: Counter<string>;
}

/** Everything a use case needs; built once by the service. */
export interface InventoryContext {
  store: DocumentStore;
  collections: InventoryCollections;
  events: EventSink;
  clock: () => Date;
  settings: InventorySettings;
  metrics: InventoryMetrics;
  /** Called after commit with the SKUs whose availability may have changed. */
  onAvailabilityTouched(skus: Iterable<string>): void;
  /** Records a privileged operation in the audit log, inside the transaction. */
  audit(entry: AuditInput, session: Session): Promise<unknown>;
}

/** Who did a privileged operation, and from where (for the audit log). */
export interface Audited {
  actor: Actor;
  ip?: string;
  requestId?: string;
}

export const auditMeta = (a: Audited) => ({
  actor: a.actor,
  ...(a.ip ? { ip: a.ip } : {}),
  ...(a.requestId ? { requestId: a.requestId } : {}),
});

export interface AtRiskCause {
  kind: string;
  opId?: string;
}

/**
 * One store transaction of a use case, plus what it changed: the levels it touched (for low-stock
 * checks before commit and availability after) and the levels a sale left short of reserved units
 * (reservations at risk, evaluated once per transaction before commit).
 */
export class Tx {
  readonly touched = new Map<string, StockLevelDoc>();
  readonly shortLevels = new Map<string, AtRiskCause>();
  readonly nowIso: string;

  constructor(
    readonly ctx: InventoryContext,
    readonly session: Session,
    readonly now: Date,
  ) {
    this.nowIso = now.toISOString();
  }

  publish<D extends EventDefinition>(def: D, subject: string, data: EventData<D>): Promise<unknown> {
    return this.ctx.events.publish(this.session, def, { subject, data });
  }
}
