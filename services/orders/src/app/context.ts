import type { Service } from '@omni/kit';
import type { Counter } from 'prom-client';
import type { SagaRunner } from '../saga/runner';
import type { StepEnv } from '../saga/types';
import type { OrdersCollections } from '../store/collections';
import type { OrderRepository } from '../store/order-repository';

export interface OrdersMetrics {
  placed: Counter<'method' | 'outcome'>;
  refused: Counter<'code'>;
  reroutes: Counter<'trigger'>;
  eventsIgnored: Counter<'type' | 'why'>;
}

/** What use cases, routes and event handlers share. */
export interface OrdersContext {
  svc: Service;
  cols: OrdersCollections;
  repo: OrderRepository;
  runner: SagaRunner;
  env: StepEnv;
  metrics: OrdersMetrics;
}
