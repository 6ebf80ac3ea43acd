import { Sleeper } from './sleeper';
import { context as otelContext, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import {
  isDuplicateKeyError,
  isTransientError,
  type Collection,
  type Doc,
  type DocumentStore,
  type Session,
} from '@omni/store';
import type { Static, TSchema } from 'typebox';
import { DEAD_LETTER_TOPIC, DeadLettered } from './deadletter';
import { contextFromEvent, createEvent, parseEvent, toBusMessage } from './envelope';
import { errorFields, silentLogger, type Logger } from './logger';
import { noopObserver, type ConsumeOutcome, type EventsObserver } from './observer';
import type { CloudEvent, DeliveredMessage, EventBus, Subscription } from './port';
import type { EventDefinition, EventRegistry } from './registry';

/**
 * Idempotent consumer. For each delivered message:
 * 1. parse the CloudEvent and validate `data` against the registry — invalid → dead-letter at once
 *    (retrying cannot fix a payload); unknown type on a subscribed topic → skipped (debug log);
 * 2. in ONE store transaction: insert `inbox/{group}:{event id}` (already there → duplicate, skip)
 *    and run the handler with the session, so its state changes and outbox enqueues commit together
 *    with the inbox row — a redelivered event can never apply its effect twice;
 * 3. handler failure → retried with capped exponential backoff (the bus redelivers the same
 *    message; later messages of the partition wait, so order per key holds). What happens next
 *    depends on the error (the taxonomy of @omni/store, `isTransientError`):
 *    - transient (store or broker unavailable, write conflict, timeout): retried for as long as it
 *      takes — an outage must never turn into lost or reordered events; `observer.retrying` reports
 *      the stall (metrics: event_consumer_retrying, event_consumer_stalled_seconds) and the lag grows;
 *    - anything else (a handler bug, a payload the handler rejects): after `maxAttempts` such
 *      failures the message is dead-lettered and committed, so one poison message cannot stop the
 *      partition for ever.
 * The handler runs inside a CONSUMER span whose parent is the producer's span (event traceparent).
 */

export const INBOX_COLLECTION = 'inbox';

export interface InboxRow extends Doc {
  /** `${group}:${event id}` */
  _id: string;
  group: string;
  eventId: string;
  type: string;
  topic: string;
  processedAt: string;
}

export interface HandlerContext {
  /** The transaction: pass it to every store call and to outbox.enqueue. */
  session: Session;
  message: DeliveredMessage;
}

export type EventHandler<T> = (event: CloudEvent<T>, ctx: HandlerContext) => Promise<void>;

export interface BackoffOptions {
  /** Delay after the first failure. Default 200 ms. */
  initialMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Upper bound (the poll period of a long outage). Default 30 s. */
  maxMs?: number;
}

/** Where one message at the head of a partition stands in its retry series. */
interface Failing {
  group: string;
  topic: string;
  partition: number;
  offset: string;
  /** Failures so far, all kinds (drives the backoff). */
  failures: number;
  /** Non-transient failures so far (drives dead-lettering). */
  poison: number;
  since: number;
}

export interface ConsumerOptions {
  bus: EventBus;
  store: DocumentStore;
  registry: EventRegistry;
  /** Consumer group, unique per service and purpose (e.g. `pickup`). Also the inbox namespace. */
  group: string;
  logger?: Logger;
  observer?: EventsObserver;
  /** Non-transient handler failures before dead-lettering (transient ones never count). Default 5. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Default `omni.deadletter`. */
  deadLetterTopic?: string;
  /** Where a new group starts. Default true (earliest retained). */
  fromBeginning?: boolean;
  /** Inbox rows older than this are swept (at start, then hourly). Default 14 days; 0 disables. */
  inboxRetentionMs?: number;
}

export interface EventConsumer {
  /** Handles `def` (registered in the registry as consumed). One handler per type. */
  on<S extends TSchema>(def: EventDefinition<S>, handler: EventHandler<Static<S>>): EventConsumer;
  /** Subscribes to the topics of the handled types. */
  start(): Promise<void>;
  /** Stops: waits for in-flight handlers; abandons a pending retry (it is redelivered later). */
  stop(): Promise<void>;
  /** For liveness: subscribed, since when the oldest delivery in flight runs, when one last ended. */
  health(): ConsumerHealth;
}

export interface ConsumerHealth {
  group: string;
  running: boolean;
  /** Epoch ms the oldest delivery in flight started (retry backoff included), or null. */
  inFlightSince: number | null;
}

export function createConsumer(opts: ConsumerOptions): EventConsumer {
  return new Consumer(opts);
}

const tracer = trace.getTracer('omni-events');

/** The consumer is stopping: leave the message uncommitted. */
class StoppingError extends Error {
  constructor() {
    super('consumer stopping');
    this.name = 'StoppingError';
  }
}

interface Entry {
  def: EventDefinition;
  handler: EventHandler<unknown>;
}

class Consumer implements EventConsumer {
  private readonly handlers = new Map<string, Entry>();
  private readonly inbox: Collection<InboxRow>;
  private readonly logger: Logger;
  private readonly observer: EventsObserver;
  private readonly maxAttempts: number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly deadLetterTopic: string;
  private subscription: Subscription | null = null;
  private stopping = false;
  private readonly sleeper = new Sleeper();
  private sweepTimer: NodeJS.Timeout | null = null;
  /** `topic\0partition` → the message at its head that is failing (one per partition). */
  private readonly failing = new Map<string, Failing>();
  private readonly inFlight = new Set<{ since: number }>();

  constructor(private readonly opts: ConsumerOptions) {
    if (!opts.group) throw new Error('createConsumer: group is required');
    this.inbox = opts.store.collection<InboxRow>({
      name: INBOX_COLLECTION,
      indexes: [{ keys: { processedAt: 1 } }],
    });
    this.logger = opts.logger ?? silentLogger;
    this.observer = opts.observer ?? noopObserver;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.backoff = { initialMs: 200, factor: 2, maxMs: 30_000, ...opts.backoff };
    this.deadLetterTopic = opts.deadLetterTopic ?? DEAD_LETTER_TOPIC;
  }

  on<S extends TSchema>(def: EventDefinition<S>, handler: EventHandler<Static<S>>): EventConsumer {
    if (this.subscription) throw new Error(`consumer ${this.opts.group}: on(${def.type}) after start()`);
    if (this.handlers.has(def.type))
      throw new Error(`consumer ${this.opts.group}: two handlers for ${def.type}`);
    this.opts.registry.consumes(def);
    this.handlers.set(def.type, { def, handler: handler as EventHandler<unknown> });
    return this;
  }

  async start(): Promise<void> {
    if (this.subscription) return;
    if (this.handlers.size === 0) throw new Error(`consumer ${this.opts.group}: no handlers`);
    this.stopping = false;
    const topics = [...new Set([...this.handlers.values()].map((e) => e.def.topic))];
    this.subscription = await this.opts.bus.subscribe({
      group: this.opts.group,
      topics,
      fromBeginning: this.opts.fromBeginning ?? true,
      // The backoff happens in handle() (exponential); the bus redelivers right after.
      retryDelayMs: 0,
      handler: (msg) => this.tracked(msg),
    });

    const retention = this.opts.inboxRetentionMs ?? 14 * 24 * 3600 * 1000;
    if (retention > 0) {
      const sweep = (): void => {
        const cutoff = new Date(Date.now() - retention).toISOString();
        this.inbox
          .deleteMany({ group: this.opts.group, processedAt: { $lt: cutoff } })
          .catch((err: unknown) =>
            this.logger.warn({ err: errorFields(err), group: this.opts.group }, 'inbox sweep failed'),
          );
      };
      sweep();
      this.sweepTimer = setInterval(sweep, 3600_000);
      this.sweepTimer.unref();
    }
    this.logger.info(
      { group: this.opts.group, topics, types: [...this.handlers.keys()] },
      'consumer started',
    );
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    if (!subscription) return;
    this.stopping = true;
    this.sleeper.wakeAll();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await subscription.close();
    this.subscription = null;
    // Whoever owns these partitions next starts their own series.
    for (const f of this.failing.values()) this.observer.recovered?.(f.group, f.topic, f.partition);
    this.failing.clear();
  }

  health(): ConsumerHealth {
    let oldest: number | null = null;
    for (const d of this.inFlight) if (oldest === null || d.since < oldest) oldest = d.since;
    return {
      group: this.opts.group,
      // A subscription the adapter gave up on (Kafka: crashed, no restart) is dead, not idle.
      running: this.subscription !== null && !this.stopping && !this.subscription.failure?.(),
      inFlightSince: oldest,
    };
  }

  private async tracked(msg: DeliveredMessage): Promise<void> {
    const d = { since: Date.now() };
    this.inFlight.add(d);
    try {
      await this.handle(msg);
    } finally {
      this.inFlight.delete(d);
    }
  }

  /** The bus handler. Resolves → committed; rejects → redelivered (attempt + 1). */
  private async handle(msg: DeliveredMessage): Promise<void> {
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const group = this.opts.group;
    // A series on this partition for another offset ended elsewhere (the partition moved away and back).
    if (this.failing.get(Consumer.slot(msg))?.offset !== msg.offset) this.settled(msg);

    let event: CloudEvent;
    try {
      event = parseEvent(msg.value);
    } catch (err) {
      await this.deadLetter(msg, undefined, 'invalid-event', err);
      this.observer.consumed(group, 'unknown', 'dead-lettered', elapsed());
      return;
    }
    const entry = this.handlers.get(event.type);
    if (!entry) {
      this.logger.debug(
        { group, type: event.type, eventId: event.id, topic: msg.topic },
        'event type not handled; skipped',
      );
      this.observer.consumed(group, event.type, 'skipped', elapsed());
      return;
    }
    try {
      this.opts.registry.validate(entry.def, event.data);
    } catch (err) {
      await this.deadLetter(msg, event, 'invalid-data', err);
      this.observer.consumed(group, event.type, 'dead-lettered', elapsed());
      return;
    }

    const parent = contextFromEvent(event, otelContext.active());
    let failing: Failing | undefined;
    try {
      await tracer.startActiveSpan(
        `${msg.topic} process`,
        { kind: SpanKind.CONSUMER, attributes: this.spanAttributes(msg, event) },
        parent,
        async (span) => {
          try {
            const outcome = await this.apply(entry, event, msg);
            span.setAttribute('omni.consume.outcome', outcome);
            this.settled(msg);
            this.observer.consumed(group, event.type, outcome, elapsed());
          } catch (err) {
            span.recordException(err instanceof Error ? err : String(err));
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: err instanceof Error ? err.message : String(err),
            });
            failing = this.failed(msg, err);
            if (isTransientError(err) || failing.poison < this.maxAttempts) {
              span.setAttribute('omni.consume.outcome', 'retry');
              throw err;
            }
            this.logger.error(
              {
                err: errorFields(err),
                group,
                type: event.type,
                eventId: event.id,
                attempts: failing.failures,
              },
              'event handler failed for the last time; dead-lettering',
            );
            await this.deadLetter(msg, event, 'handler-failed', err, failing.failures);
            this.settled(msg);
            span.setAttribute('omni.consume.outcome', 'dead-lettered');
            this.observer.consumed(group, event.type, 'dead-lettered', elapsed());
          } finally {
            span.end();
          }
        },
      );
    } catch (err) {
      // Handler failed (or dead-lettering did): back off, then reject so the bus redelivers.
      failing ??= this.failed(msg, err);
      const transient = isTransientError(err);
      const delay = this.delayAfter(failing.failures);
      const stalledMs = Date.now() - failing.since;
      const fields = {
        err: errorFields(err),
        group,
        type: event.type,
        eventId: event.id,
        topic: msg.topic,
        partition: msg.partition,
        offset: msg.offset,
        attempt: failing.failures,
        transient,
        stalledMs,
        retryInMs: delay,
      };
      // A long outage logs at the first failures and then once per backoff cap, not per attempt.
      if (failing.failures <= 3 || delay >= this.backoff.maxMs) {
        this.logger.warn(
          fields,
          transient
            ? 'event handler hit a transient failure; partition paused, retrying until it succeeds'
            : 'event handler failed; will retry',
        );
      }
      this.observer.retrying?.(group, msg.topic, msg.partition, stalledMs);
      this.observer.consumed(group, event.type, 'retry', elapsed());
      await this.sleep(delay);
      throw err;
    }
  }

  private static slot(msg: DeliveredMessage): string {
    return `${msg.topic}\u0000${msg.partition}`;
  }

  /** Records one failure of the message at the head of its partition. */
  private failed(msg: DeliveredMessage, err: unknown): Failing {
    const slot = Consumer.slot(msg);
    let f = this.failing.get(slot);
    if (!f || f.offset !== msg.offset) {
      f = {
        group: this.opts.group,
        topic: msg.topic,
        partition: msg.partition,
        offset: msg.offset,
        failures: 0,
        poison: 0,
        since: Date.now(),
      };
      this.failing.set(slot, f);
    }
    f.failures++;
    if (!isTransientError(err)) f.poison++;
    return f;
  }

  /** The message is done with (applied or dead-lettered): its partition moves again. */
  private settled(msg: DeliveredMessage): void {
    const slot = Consumer.slot(msg);
    const f = this.failing.get(slot);
    if (!f) return;
    this.failing.delete(slot);
    this.observer.recovered?.(f.group, f.topic, f.partition);
    this.logger.info(
      {
        group: f.group,
        topic: f.topic,
        partition: f.partition,
        failures: f.failures,
        stalledMs: Date.now() - f.since,
      },
      'partition moving again after retries',
    );
  }

  /** The inbox row and the handler in one transaction. */
  private async apply(entry: Entry, event: CloudEvent, msg: DeliveredMessage): Promise<ConsumeOutcome> {
    const inboxId = `${this.opts.group}:${event.id}`;
    let inboxCollision = false;
    try {
      return await this.opts.store.withTransaction(async (session) => {
        inboxCollision = false;
        if (await this.inbox.findById(inboxId, { session })) return 'duplicate';
        try {
          await this.inbox.insertOne(
            {
              _id: inboxId,
              group: this.opts.group,
              eventId: event.id,
              type: event.type,
              topic: msg.topic,
              processedAt: new Date().toISOString(),
            },
            { session },
          );
        } catch (err) {
          // Another delivery of the same event committed between our read and insert.
          if (isDuplicateKeyError(err)) inboxCollision = true;
          throw err;
        }
        await entry.handler(event, { session, message: msg });
        return 'ok';
      });
    } catch (err) {
      if (inboxCollision) return 'duplicate';
      throw err;
    }
  }

  private async deadLetter(
    msg: DeliveredMessage,
    event: CloudEvent | undefined,
    reason: 'handler-failed' | 'invalid-event' | 'invalid-data',
    err: unknown,
    attempts = 1,
  ): Promise<void> {
    const { name, message } = errorFields(err);
    if (reason !== 'handler-failed') {
      this.logger.warn(
        {
          err: { name, message },
          group: this.opts.group,
          topic: msg.topic,
          offset: msg.offset,
          eventId: event?.id,
        },
        `dead-lettering ${reason} message`,
      );
    }
    const deadLetter = createEvent(DeadLettered, {
      subject: msg.key || event?.subject || 'unknown',
      source: `/omni/consumers/${this.opts.group}`,
      data: {
        group: this.opts.group,
        reason,
        topic: msg.topic,
        partition: msg.partition,
        offset: msg.offset,
        key: msg.key,
        value: msg.value,
        ...(msg.headers ? { headers: msg.headers } : {}),
        ...(event ? { eventId: event.id, eventType: event.type } : {}),
        attempts,
        error: { name, message },
      },
    });
    // If this fails the message is not committed: the bus redelivers it and we try again.
    await this.opts.bus.publish(this.deadLetterTopic, [toBusMessage(deadLetter)]);
  }

  private delayAfter(attempt: number): number {
    const { initialMs, factor, maxMs } = this.backoff;
    return Math.min(maxMs, initialMs * factor ** Math.min(attempt - 1, 60));
  }

  /** Sleeps unless stop() is called; then throws StoppingError (message left uncommitted). */
  private async sleep(ms: number): Promise<void> {
    if (this.stopping) throw new StoppingError();
    await this.sleeper.sleep(ms);
    if (this.stopping) throw new StoppingError();
  }

  private spanAttributes(msg: DeliveredMessage, event: CloudEvent): Attributes {
    return {
      'messaging.system': this.opts.bus.kind === 'kafka' ? 'kafka' : 'omni_embedded',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': msg.topic,
      'messaging.destination.partition.id': String(msg.partition),
      'messaging.consumer.group.name': this.opts.group,
      'messaging.message.id': event.id,
      'messaging.kafka.message.key': msg.key,
      'messaging.kafka.offset': Number(msg.offset),
      'cloudevents.event_id': event.id,
      'cloudevents.event_type': event.type,
      'cloudevents.event_source': event.source,
      'cloudevents.event_subject': event.subject,
      'omni.delivery.attempt': msg.attempt,
    };
  }
}
