import type { DocumentStore, Session } from '@omni/store';
import type { EventData, EventDefinition } from '@omni/events';
import type { AuditInput } from '@omni/kit';
import type { Logger } from 'pino';
import type { NormaliseOptions } from '../domain/identity';
import type { PointsPolicy } from '../domain/points';
import type { CustomersCollections } from '../store/collections';

/** Writes an event to the outbox inside the caller's transaction (svc.events satisfies it). */
export interface EventPublisher {
  publish<D extends EventDefinition>(session: Session, def: D, e: { subject: string; data: EventData<D> }): Promise<unknown>;
}

/** Records privileged operations in the caller's transaction (svc.audit satisfies it). */
export interface AuditRecorder {
  record(input: AuditInput, session?: Session): Promise<unknown>;
}

/** Who did something: the kit's Actor (a principal, or a system job: expiry sweep, event handler). */
import type { Actor } from '@omni/kit';
export type { Actor };

export const SYSTEM_ACTOR: Actor = { sub: 'customers-system', role: 'service' };

/** A Prometheus counter as the use cases see it (svc.metrics.counter(...) satisfies it). */
export interface CounterLike {
  inc(labels: Record<string, string>, value?: number): void;
}

export interface CustomersMetrics {
  /** by origin channel */
  customersCreated: CounterLike;
  /** by trigger (manual, verified_phone) */
  merges: CounterLike;
  /** points moved, by ledger kind */
  points: CounterLike;
  erasures: CounterLike;
  /** till sales and returns, by kind and status */
  storeSales: CounterLike;
}

/** Everything a use case needs; built once by buildCustomersService. */
export interface CustomersContext {
  store: DocumentStore;
  collections: CustomersCollections;
  events: EventPublisher;
  audit: AuditRecorder;
  clock: () => Date;
  policy: PointsPolicy;
  identity: NormaliseOptions;
  log: Logger;
  metrics?: CustomersMetrics;
}

export function nowIso(ctx: Pick<CustomersContext, 'clock'>): string {
  return ctx.clock().toISOString();
}
