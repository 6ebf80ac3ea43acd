import type { DocumentStore, Session } from '@omni/store';
import {
  createConsumer,
  createOutbox,
  createOutboxRelay,
  EventRegistry,
  prepareTopics,
  topicPolicyFromEnv,
  type BackoffOptions,
  type TopicPolicy,
  type CloudEvent,
  type EventBus,
  type EventData,
  type EventDefinition,
  type EventsObserver,
} from '@omni/events';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';

export type EventHandler<D extends EventDefinition> = (
  event: CloudEvent<EventData<D>>,
  ctx: { session: Session },
) => Promise<void>;

/**
 * A service's events: what it produces goes through the transactional outbox (written in the same
 * store transaction as the state change, published by the relay after commit); what it consumes is
 * handled idempotently (inbox row in the same transaction as the handler's effects).
 */
export class ServiceEvents {
  readonly registry = new EventRegistry();
  private readonly outbox;
  private readonly relay;
  private readonly consumers = new Map<string, ReturnType<typeof createConsumer>>();
  private started = false;
  /** Stalled partitions (`group\0topic\0partition` → since), for event_consumer_stalled_seconds. */
  private readonly stalls = new Map<
    string,
    { group: string; topic: string; partition: number; since: number }
  >();

  constructor(
    private readonly opts: {
      service: string;
      store: DocumentStore;
      bus: EventBus;
      log: Logger;
      metrics: Metrics;
      /** Topic ownership and partitions. Default: from the environment (OMNI_TOPICS, ...). */
      topics?: TopicPolicy;
      /** Consumer retry backoff. Default: 200 ms doubling up to OMNI_CONSUMER_RETRY_MAX_MS (30 s). */
      backoff?: BackoffOptions;
    },
  ) {
    const observer = this.observer();
    this.outbox = createOutbox(opts.store, this.registry, {
      source: `/omni/${opts.service}`,
      logger: opts.log,
    });
    this.relay = createOutboxRelay({ store: opts.store, bus: opts.bus, logger: opts.log, observer });
  }

  /** Writes the event to the outbox inside the caller's transaction; validated against its schema. */
  publish<D extends EventDefinition>(
    session: Session,
    def: D,
    e: { subject: string; data: EventData<D> },
  ): Promise<CloudEvent<EventData<D>>> {
    if (!this.registry.has(def.type)) this.registry.produces(def);
    return this.outbox.enqueue(session, def, e) as Promise<CloudEvent<EventData<D>>>;
  }

  /** Handles an event type, exactly once per event id (group defaults to the service name). */
  on<D extends EventDefinition>(def: D, handler: EventHandler<D>, opts: { group?: string } = {}): void {
    if (this.started) throw new Error('register event handlers before the service starts');
    if (!this.registry.has(def.type)) this.registry.consumes(def);
    const group = opts.group ?? this.opts.service;
    let consumer = this.consumers.get(group);
    if (!consumer) {
      consumer = createConsumer({
        bus: this.opts.bus,
        store: this.opts.store,
        registry: this.registry,
        group,
        logger: this.opts.log,
        observer: this.observer(),
        backoff: this.opts.backoff ?? backoffFromEnv(process.env),
      });
      this.consumers.set(group, consumer);
    }
    consumer.on(def, handler as Parameters<typeof consumer.on>[1]);
  }

  async start(): Promise<void> {
    this.started = true;
    const topics = [...new Set(this.registry.definitions().map((d) => d.topic))];
    await prepareTopics(this.opts.bus, topics, this.opts.topics ?? topicPolicyFromEnv(process.env));
    await this.relay.start();
    for (const c of this.consumers.values()) await c.start();
  }

  /** Stops consuming (in-flight handlers finish), then publishes what is still in the outbox. */
  async stop(): Promise<void> {
    this.started = false;
    for (const c of this.consumers.values()) await c.stop();
    await this.relay
      .flush()
      .catch((err: unknown) => this.opts.log.warn({ err }, 'outbox flush on stop failed'));
    await this.relay.stop();
  }

  /**
   * What is dead, for /livez: a consumer no longer subscribed or the relay no longer running (while
   * the service runs), or one delivery / relay round stuck for `stallMs`. Retrying is alive: every
   * attempt ends a delivery (backoff is capped well below `stallMs`), so a broker or store outage
   * never restarts pods. (Lag alone cannot tell: another replica of the group may own the partition.)
   */
  deadParts(stallMs: number): string[] {
    if (!this.started) return [];
    const now = Date.now();
    const dead: string[] = [];
    for (const c of this.consumers.values()) {
      const h = c.health();
      if (!h.running) dead.push(`consumer ${h.group} is not running`);
      else if (h.inFlightSince !== null && now - h.inFlightSince > stallMs)
        dead.push(`consumer ${h.group} stuck on one delivery for ${now - h.inFlightSince} ms`);
    }
    const r = this.relay.health();
    if (!r.running) dead.push('outbox relay is not running');
    else if (r.roundSince !== null && now - r.roundSince > stallMs)
      dead.push(`outbox relay stuck in one round for ${now - r.roundSince} ms`);
    return dead;
  }

  /** Test and fault-injection hook: the consumer of a group (undefined if none). */
  consumer(group: string): ReturnType<typeof createConsumer> | undefined {
    return this.consumers.get(group);
  }

  /** Publishes everything pending in the outbox now (tests, shutdown). */
  flush(): Promise<void> {
    return this.relay.flush();
  }

  /**
   * Brings the pull-style gauges up to date (called by /metrics): consumer lag per group and
   * partition of this service's groups, and how long stalled partitions have been stalled.
   */
  async refreshMetrics(): Promise<void> {
    const m = this.opts.metrics;
    const now = Date.now();
    m.consumerStalled.reset();
    for (const s of this.stalls.values()) {
      m.consumerStalled.set(
        { group: s.group, topic: s.topic, partition: String(s.partition) },
        (now - s.since) / 1000,
      );
    }
    if (this.consumers.size === 0) return;
    const lag = await this.opts.bus.lag();
    m.consumerLag.reset();
    for (const l of lag) {
      if (!this.consumers.has(l.group)) continue; // a shared bus also knows other services' groups
      m.consumerLag.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
    }
  }

  private observer(): EventsObserver {
    const m = this.opts.metrics;
    const slot = (group: string, topic: string, partition: number): string =>
      `${group}\u0000${topic}\u0000${partition}`;
    return {
      published: (topic, n) => m.eventsPublished.inc({ topic }, n),
      consumed: (group, type, outcome, ms) => {
        m.eventsConsumed.inc({ group, type, outcome });
        m.eventHandleDuration.observe({ group, type }, ms / 1000);
      },
      relayLag: (ms) => m.outboxRelayLag.observe(ms / 1000),
      retrying: (group, topic, partition, stalledMs) => {
        m.consumerRetrying.set({ group, topic, partition: String(partition) }, 1);
        const key = slot(group, topic, partition);
        if (!this.stalls.has(key))
          this.stalls.set(key, { group, topic, partition, since: Date.now() - stalledMs });
      },
      recovered: (group, topic, partition) => {
        m.consumerRetrying.set({ group, topic, partition: String(partition) }, 0);
        this.stalls.delete(slot(group, topic, partition));
      },
      parked: (topic, reason) => m.outboxParked.inc({ topic, reason }),
    };
  }
}

/** OMNI_CONSUMER_RETRY_MAX_MS caps the consumer backoff (the poll period of a long outage). */
function backoffFromEnv(env: Record<string, string | undefined>): BackoffOptions | undefined {
  const raw = env.OMNI_CONSUMER_RETRY_MAX_MS;
  if (!raw) return undefined;
  const maxMs = Number(raw);
  if (!Number.isInteger(maxMs) || maxMs < 1)
    throw new Error(`OMNI_CONSUMER_RETRY_MAX_MS must be a positive integer, got "${raw}"`);
  return { maxMs, initialMs: Math.min(200, maxMs) };
}
