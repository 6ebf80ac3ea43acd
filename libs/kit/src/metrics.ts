import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per service (several services share a process in the embedded runtime,
 * so the global default registry would mix them). Process metrics are collected once per registry.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly grpcDuration: Histogram<'method' | 'code'>;
  readonly eventsPublished: Counter<'topic'>;
  readonly eventsConsumed: Counter<'group' | 'type' | 'outcome'>;
  readonly eventHandleDuration: Histogram<'group' | 'type'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly outboxRelayLag: Histogram<string>;
  readonly consumerRetrying: Gauge<'group' | 'topic' | 'partition'>;
  readonly consumerStalled: Gauge<'group' | 'topic' | 'partition'>;
  readonly outboxParked: Counter<'topic' | 'reason'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.grpcDuration = new Histogram({
      name: 'grpc_server_duration_seconds',
      help: 'gRPC unary call duration by method and status code',
      labelNames: ['method', 'code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    this.eventsPublished = new Counter({
      name: 'events_published_total',
      help: 'Events published by the outbox relay',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.eventsConsumed = new Counter({
      name: 'events_consumed_total',
      help: 'Events handled by consumers, by outcome (ok, duplicate, retry, dead-lettered)',
      labelNames: ['group', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.eventHandleDuration = new Histogram({
      name: 'event_handle_duration_seconds',
      help: 'Event handler duration',
      labelNames: ['group', 'type'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [this.registry],
    });
    this.consumerLag = new Gauge({
      name: 'event_consumer_lag',
      help: 'Messages not yet committed by a consumer group',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
    });
    this.consumerRetrying = new Gauge({
      name: 'event_consumer_retrying',
      help: '1 while a consumer group retries the message at the head of a partition after transient failures (alert when it stays 1)',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
    });
    this.consumerStalled = new Gauge({
      name: 'event_consumer_stalled_seconds',
      help: 'How long the partition has been stalled on a retried message (0 when moving)',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
    });
    this.outboxParked = new Counter({
      name: 'outbox_parked_total',
      help: 'Outbox events the bus will never accept (too large, not authorised, invalid), parked in outbox_parked (alert on any)',
      labelNames: ['topic', 'reason'],
      registers: [this.registry],
    });
    this.outboxRelayLag = new Histogram({
      name: 'outbox_relay_lag_seconds',
      help: 'Time from outbox write to publish',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
  }

  counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
  gauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: L[] = [],
    buckets?: number[],
  ): Histogram<L> {
    return new Histogram({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(buckets ? { buckets } : {}),
    });
  }
}
