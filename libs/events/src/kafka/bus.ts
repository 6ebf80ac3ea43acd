import { Sleeper } from '../sleeper';
import type { ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import type {
  Admin,
  Consumer,
  EachMessagePayload,
  IHeaders,
  Kafka as KafkaClient,
  LogEntry,
  Producer,
  SASLOptions,
} from 'kafkajs';
import { StartupError } from '@omni/store';
import { BusUnavailableError, kafkaRejection, PublishRejectedError } from '../errors';
import { AdoptableLogger, errorFields, type Logger } from '../logger';
import type {
  BusMessage,
  DeliveredMessage,
  EventBus,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from '../port';

// kafkajs is CommonJS and spreads its error classes into module.exports, which Node's ESM loader
// cannot see as named exports: take runtime values from the default export.
const { Kafka, Partitioners, KafkaJSError, logLevel } = kafkajs;

/**
 * The Kafka adapter (kafkajs 2).
 *
 * Producer: idempotent (`idempotent: true`, acks = all) with `maxInFlightRequests: 1`, so a retried
 * batch can neither be duplicated nor overtake the next one: per-key order survives broker
 * failovers. Partitioning is kafkajs' DefaultPartitioner (Java-compatible murmur2), the same
 * function the embedded bus uses.
 *
 * Consumer: one kafkajs consumer per subscription (groupId = `group`), `eachMessage`, partitions of
 * one subscription handled concurrently (`partitionsConsumedConcurrently`), one message at a time
 * per partition.
 *
 * Offset commits — kafkajs resolveOffset semantics with autoCommit on: kafkajs marks a message's
 * offset (+1) resolved only when `eachMessage` resolves, and commits only resolved offsets (every
 * `autoCommitIntervalMs` / `autoCommitThreshold` messages, at the end of every batch, before a
 * rebalance and when the consumer stops). So the commit always follows the handler, and close()
 * commits what finished. Chosen over `autoCommit: false` + `commitOffsets` because kafkajs ignores
 * explicit commits once the consumer is stopping (the last handled messages would always be
 * redelivered after a graceful shutdown) and because it costs one commit per batch rather than one
 * round trip per message. Consequence that the code below respects: `eachMessage` must never
 * resolve for a message whose handler did not succeed — it throws instead, leaving the offset
 * unresolved.
 *
 * Redelivery: a handler rejection is retried in the same `eachMessage` call after `retryDelayMs`
 * (attempt + 1), sending a heartbeat between attempts, so later messages of the partition wait
 * (order kept) and the group does not evict the member. If the group rebalances meanwhile, the
 * heartbeat throws, the message stays unresolved and whoever owns the partition next gets it.
 * Known kafkajs limitation: while one partition is retrying, the fetch loop of that broker waits,
 * so other partitions led by the same broker finish their current batch and then wait too.
 *
 * Long handlers: kafkajs heartbeats only between messages, so while a handler runs (long work, or
 * the consumer's backoff sleeps during a store outage) this adapter calls `heartbeat()` every
 * `heartbeatIntervalMs`; the member is not evicted however long a retry series lasts.
 *
 * Errors follow the shared taxonomy: broker unreachable / timeouts → BusUnavailableError
 * (transient); a message the broker refuses for good (MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED,
 * INVALID_RECORD, ...) → PublishRejectedError, which the outbox relay parks. The first connection
 * failing (bad KAFKA_BROKERS) is a StartupError naming the variable and the brokers tried, raised
 * within a few seconds (bounded admin retries), not after kafkajs' default ~30 s of retries.
 * kafkajs logs, consumer crashes and group rebalances go to `logger` (pass the service's pino).
 */
export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  logger?: Logger;
  /** Partitions of one subscription processed in parallel. Default 4. */
  partitionsConsumedConcurrently?: number;
  /** Default delay before a failed message is retried. Default 1000 ms. */
  retryDelayMs?: number;
  /** Consumer session timeout. Default 30,000 ms. */
  sessionTimeoutMs?: number;
  /** Commit resolved offsets at least this often (and at the end of each batch). Default 1000 ms. */
  autoCommitIntervalMs?: number;
  /** ...or after this many resolved messages. Default 100. */
  autoCommitThreshold?: number;
  /** Replication factor for topics created by ensureTopics; -1 = broker default (default). */
  replicationFactor?: number;
  /** Heartbeat period while a handler runs. Default sessionTimeoutMs / 10, at most 3 s. */
  heartbeatIntervalMs?: number;
  /** The variable the brokers came from, named in startup errors. Default KAFKA_BROKERS. */
  brokersVariable?: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Thrown out of eachMessage to stop processing without resolving (thus committing) the offset. */
// A KafkaJSError so the runner neither logs it as a handler failure nor crashes the consumer.
class UncommittedStop extends KafkaJSError {
  constructor(reason: string) {
    super(reason, { retriable: true });
  }
}

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { ...extra, kafkajs: namespace };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

function headerValue(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, value] of Object.entries(headers)) {
    const decoded = headerValue(value);
    if (decoded !== undefined) {
      out[name] = decoded;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Exported for unit tests of the redelivery logic; not part of the package API. */
export class KafkaSubscription implements Subscription {
  private closing = false;
  /** Set when kafkajs gave this consumer up (CRASH without restart). */
  crashed: Error | null = null;
  private closed: Promise<void> | null = null;
  private readonly sleeper = new Sleeper();

  constructor(
    private readonly bus: KafkaBus,
    readonly group: string,
    readonly consumer: Consumer,
    private readonly handler: (msg: DeliveredMessage) => Promise<void>,
    private readonly retryDelayMs: number,
    private readonly logger: Logger,
    private readonly heartbeatIntervalMs = 3_000,
  ) {}

  /** Runs the handler, heartbeating meanwhile so a long handler keeps the group membership. */
  private async withHeartbeats<T>(heartbeat: () => Promise<void>, run: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      // Throws while the group rebalances; the handler's result is then committed by whoever
      // ends up owning the partition (redelivery is absorbed by the consumer's inbox).
      heartbeat().catch(() => undefined);
    }, this.heartbeatIntervalMs);
    try {
      return await run();
    } finally {
      clearInterval(timer);
    }
  }

  /** kafkajs `eachMessage`: resolves only after the handler succeeded (see the class comment). */
  readonly eachMessage = async ({
    topic,
    partition,
    message,
    heartbeat,
  }: EachMessagePayload): Promise<void> => {
    const headers = decodeHeaders(message.headers);
    const base = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : '',
      value: message.value ? message.value.toString('utf8') : '',
      ...(headers ? { headers } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withHeartbeats(heartbeat, () => this.handler({ ...base, attempt }));
        return;
      } catch (err) {
        this.logger.debug(
          { err: errorFields(err), group: this.group, topic, partition, offset: message.offset, attempt },
          'handler failed; message will be redelivered',
        );
      }
      await this.sleep(this.retryDelayMs);
      if (this.closing)
        throw new UncommittedStop('subscription closing; message left uncommitted for redelivery');
      // Keeps the membership alive during long retry series; throws if the group is rebalancing, in
      // which case the message stays unresolved and the partition's next owner redelivers it.
      await heartbeat();
    }
  };

  private sleep(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return this.sleeper.sleep(ms);
  }

  failure(): Error | null {
    return this.crashed;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      this.sleeper.wakeAll();
      // disconnect() stops the fetch loop, waits for the in-flight eachMessage calls, commits the
      // resolved offsets, leaves the group and closes the connections.
      try {
        await this.consumer.disconnect();
      } finally {
        this.bus.forget(this);
      }
    })();
    return this.closed;
  }
}

export class KafkaBus implements EventBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: KafkaClient;
  private readonly logger: AdoptableLogger;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private producerConnecting: Promise<void> | null = null;
  private adminConnecting: Promise<void> | null = null;
  private readonly subscriptions = new Set<KafkaSubscription>();
  /** group → topics it subscribed through this bus (for lag()). */
  private readonly groupTopics = new Map<string, Set<string>>();
  /** A consumer that crashed and will not restart: the process is not healthy. */
  private consumerFailure: Error | null = null;
  private closing: Promise<void> | null = null;
  private everConnected = false;

  constructor(private readonly opts: KafkaBusOptions) {
    if (opts.brokers.length === 0) throw new Error('createKafkaBus: brokers must not be empty');
    this.logger = new AdoptableLogger(opts.logger);
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      ...(opts.ssl !== undefined ? { ssl: opts.ssl } : {}),
      ...(opts.sasl ? { sasl: opts.sasl } : {}),
      connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(this.logger),
      // Connection attempts to the cluster: a few seconds in all (kafkajs' default kept a bad
      // KAFKA_BROKERS retrying for ~10-30 s before anyone heard of it). Producer sends and consumer
      // restarts have their own, longer, retries on top.
      retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 2_000 },
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Idempotence needs retries; give a failing broker ~30 s before publish() rejects.
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.admin = this.kafka.admin();
  }

  async missingTopics(topics: string[]): Promise<string[]> {
    this.assertOpen();
    await this.adminReady();
    const existing = new Set(await this.unavailableOnError(() => this.admin.listTopics()));
    return topics.filter((t) => !existing.has(t));
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    if (topics.length === 0) return;
    await this.adminReady();
    const existing = new Set(await this.unavailableOnError(() => this.admin.listTopics()));
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: this.opts.replicationFactor ?? -1,
        })),
      });
    } catch (err) {
      // Another replica may have created some of them between listTopics and createTopics.
      const errors = (err as { errors?: Array<{ type?: string }> }).errors;
      if (!errors || !errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) throw err;
    }
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    try {
      await this.producerReady();
      await this.producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({
          key: m.key,
          value: m.value,
          ...(m.headers ? { headers: m.headers } : {}),
        })),
      });
    } catch (err) {
      const rejection = kafkaRejection(err);
      if (rejection)
        throw new PublishRejectedError(rejection, `publish(${topic}): ${(err as Error).message}`, {
          cause: err,
        });
      throw new BusUnavailableError(`publish(${topic}) failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Runs an admin call; its failures (broker gone, timeouts) are transient. */
  private async unavailableOnError<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof StartupError || kafkaRejection(err)) throw err;
      throw new BusUnavailableError(`kafka admin call failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    if (!opts.group) throw new Error('subscribe: group is required');
    if (opts.topics.length === 0) throw new Error('subscribe: at least one topic is required');
    const heartbeatInterval =
      this.opts.heartbeatIntervalMs ??
      Math.min(3_000, Math.floor((this.opts.sessionTimeoutMs ?? 30_000) / 10));
    const consumer = this.kafka.consumer({
      groupId: opts.group,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval,
    });
    const subscription = new KafkaSubscription(
      this,
      opts.group,
      consumer,
      opts.handler,
      opts.retryDelayMs ?? this.opts.retryDelayMs ?? 1_000,
      this.logger,
      heartbeatInterval,
    );
    // Rebalances stop every member of the group for a moment: worth a line each, with what we got.
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const { groupId, memberId, isLeader, memberAssignment, duration } = event.payload;
      this.logger.info(
        { group: groupId, memberId, isLeader, assignment: memberAssignment, durationMs: duration },
        'kafka consumer joined its group (rebalance done)',
      );
    });
    consumer.on(consumer.events.REBALANCING, (event) => {
      this.logger.info(
        { group: event.payload.groupId, memberId: event.payload.memberId },
        'kafka consumer group rebalancing',
      );
    });
    consumer.on(consumer.events.STOP, () => {
      this.logger.info({ group: opts.group }, 'kafka consumer stopped');
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.logger.error({ err: errorFields(error), group: opts.group, restart }, 'kafka consumer crashed');
      if (!restart) {
        this.consumerFailure = error;
        subscription.crashed = error;
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: this.opts.autoCommitIntervalMs ?? 1_000,
        autoCommitThreshold: this.opts.autoCommitThreshold ?? 100,
        partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 4,
        eachMessage: subscription.eachMessage,
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
    this.subscriptions.add(subscription);
    let topicsOfGroup = this.groupTopics.get(opts.group);
    if (!topicsOfGroup) {
      topicsOfGroup = new Set();
      this.groupTopics.set(opts.group, topicsOfGroup);
    }
    for (const t of opts.topics) topicsOfGroup.add(t);
    return subscription;
  }

  /** Lag of the groups subscribed through this bus: end offset − committed offset per partition. */
  async lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>> {
    if (this.groupTopics.size === 0) return [];
    await this.adminReady();
    const out: Array<{ group: string; topic: string; partition: number; lag: number }> = [];
    const ends = new Map<string, Map<number, { high: bigint; low: bigint }>>();
    const endsOf = async (topic: string): Promise<Map<number, { high: bigint; low: bigint }>> => {
      let byPartition = ends.get(topic);
      if (!byPartition) {
        byPartition = new Map();
        for (const p of await this.admin.fetchTopicOffsets(topic)) {
          byPartition.set(p.partition, { high: BigInt(p.high), low: BigInt(p.low) });
        }
        ends.set(topic, byPartition);
      }
      return byPartition;
    };
    for (const [group, topics] of this.groupTopics) {
      const committed = await this.admin.fetchOffsets({ groupId: group, topics: [...topics] });
      for (const { topic, partitions } of committed) {
        const topicEnds = await endsOf(topic);
        for (const { partition, offset } of partitions) {
          const end = topicEnds.get(partition);
          if (!end) continue;
          const position = BigInt(offset) >= 0n ? BigInt(offset) : end.low; // -1: nothing committed yet
          const lag = end.high - (position > end.low ? position : end.low);
          out.push({ group, topic, partition, lag: Number(lag > 0n ? lag : 0n) });
        }
      }
    }
    return out;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    if (this.consumerFailure) throw this.consumerFailure;
    await this.adminReady();
    await this.unavailableOnError(() => this.admin.describeCluster());
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const results = await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
      for (const r of results) {
        if (r.status === 'rejected')
          this.logger.warn({ err: errorFields(r.reason) }, 'closing a kafka consumer failed');
      }
      await Promise.allSettled([
        this.producerConnecting ? this.producer.disconnect() : Promise.resolve(),
        this.adminConnecting ? this.admin.disconnect() : Promise.resolve(),
      ]);
    })();
    return this.closing;
  }

  adoptLogger(logger: Logger): void {
    this.logger.adopt(logger);
  }

  forget(subscription: KafkaSubscription): void {
    this.subscriptions.delete(subscription);
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('kafka bus is closed');
  }

  /** Connects once; a failed attempt is forgotten so the next call tries again. */
  private producerReady(): Promise<void> {
    this.producerConnecting ??= this.producer.connect().catch((err: unknown) => {
      this.producerConnecting = null;
      throw err;
    });
    return this.producerConnecting;
  }

  private adminReady(): Promise<void> {
    this.adminConnecting ??= this.admin.connect().then(
      () => {
        this.everConnected = true;
      },
      (err: unknown) => {
        this.adminConnecting = null;
        // Never reached the cluster: almost always a wrong address, so say which one, in one line.
        if (!this.everConnected) {
          const variable = this.opts.brokersVariable ?? 'KAFKA_BROKERS';
          throw new StartupError(
            `${variable}: cannot reach Kafka at ${this.opts.brokers.join(',')} (${(err as Error).message})`,
            { cause: err },
          );
        }
        throw new BusUnavailableError(`kafka unavailable: ${(err as Error).message}`, { cause: err });
      },
    );
    return this.adminConnecting;
  }
}

export function createKafkaBus(opts: KafkaBusOptions): KafkaBus {
  return new KafkaBus(opts);
}
