import type { DocumentStore, Session } from '@omni/store';
import {
  createConsumer,
  createOutbox,
  createOutboxRelay,
  EventRegistry,
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

  constructor(
    private readonly opts: {
      service: string;
      store: DocumentStore;
      bus: EventBus;
      log: Logger;
      metrics: Metrics;
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
      });
      this.consumers.set(group, consumer);
    }
    consumer.on(def, handler as Parameters<typeof consumer.on>[1]);
  }

  async start(): Promise<void> {
    this.started = true;
    const topics = [...new Set(this.registry.definitions().map((d) => d.topic))];
    await this.opts.bus.ensureTopics(topics.map((name) => ({ name, partitions: 8 })));
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

  private observer(): EventsObserver {
    const m = this.opts.metrics;
    return {
      published: (topic, n) => m.eventsPublished.inc({ topic }, n),
      consumed: (group, type, outcome, ms) => {
        m.eventsConsumed.inc({ group, type, outcome });
        m.eventHandleDuration.observe({ group, type }, ms / 1000);
      },
      relayLag: (ms) => m.outboxRelayLag.observe(ms / 1000),
    };
  }
}
