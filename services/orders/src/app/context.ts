import type { Service } from '@omni/kit';
import type { Counter } from 'prom-client';
import type { CarrierPort } from '../carrier/port';
import type { RoutingEnv } from '../routing/route-order';
import type { SagaRunner } from '../saga/runner';
import type { OrdersTimings } from '../settings';
import type { OrdersCollections } from '../store/collections';
import type { OrderRepository } from '../store/order-repository';
import type { SlotBook } from '../store/slot-book';

export interface OrdersMetrics {
  placed: Counter<'method' | 'outcome'>;
  refused: Counter<'code'>;
  reroutes: Counter<'trigger'>;
  eventsIgnored: Counter<'type' | 'why'>;
}

/**
 * What use cases and event handlers may call outside the store: routing's upstreams and policy, the
 * timings they wait by, the clock. Payments are the saga's alone (saga/types.ts StepEnv).
 */
export interface OrdersEnv extends RoutingEnv {
  timings: OrdersTimings;
  /** The carrier parcels are booked with and tracked at (ship workflow, carrier-tracking job). */
  carrier: CarrierPort;
  clock: () => Date;
  /** Delivery slot bookings against dispatch's capacity. */
  slots: SlotBook;
}

/** What use cases, routes and event handlers share. */
export interface OrdersContext {
  svc: Service;
  collections: OrdersCollections;
  repo: OrderRepository;
  runner: SagaRunner;
  env: OrdersEnv;
  metrics: OrdersMetrics;
}
