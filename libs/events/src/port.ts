/**
 * The event-bus port. Implemented by the Kafka adapter (kafkajs) and the embedded partitioned log,
 * with the same semantics, proven by the contract suite in test/contract.ts:
 * - topics have partitions; a message's key picks its partition, so messages with one key are ordered;
 * - consumer groups: each message is handled by one member of each group; offsets are committed after
 *   the handler resolves, so a crash or restart redelivers what was not committed (at-least-once);
 * - handlers for one partition run one at a time, in order; partitions run in parallel.
 */

/** CloudEvents 1.0 envelope (structured mode) plus distributed-tracing and partition-key extensions. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  /** Unique per event; consumers deduplicate on it. */
  id: string;
  /** URI-reference of the producer, e.g. "/omni/inventory". */
  source: string;
  /** Versioned type, e.g. "omni.orders.order.confirmed.v1". */
  type: string;
  /** The aggregate the event is about (its id); also the partition key. */
  subject: string;
  /** ISO-8601 UTC. */
  time: string;
  datacontenttype: 'application/json';
  data: T;
  /** W3C trace context of the producing span, so traces cross the bus. */
  traceparent?: string;
  tracestate?: string;
}

export interface BusMessage {
  key: string;
  /** Serialised CloudEvent (JSON). Adapters never interpret it. */
  value: string;
  headers?: Record<string, string>;
}

export interface DeliveredMessage extends BusMessage {
  topic: string;
  partition: number;
  /** Offset within the partition, as a decimal string (Kafka offsets exceed 2^53 in theory). */
  offset: string;
  /** 1 on first delivery in this process; >1 when the bus redelivers after a handler failure. */
  attempt: number;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface SubscribeOptions {
  /** Consumer group id; members of one group share the partitions. */
  group: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default: earliest. */
  fromBeginning?: boolean;
  /**
   * Called for each message. Resolve → offset committed. Reject → the adapter redelivers the same
   * message (after `retryDelayMs`) — dead-lettering is decided above the port (see consumer.ts).
   */
  handler: (msg: DeliveredMessage) => Promise<void>;
  retryDelayMs?: number;
}

export interface Subscription {
  /** Stops fetching, waits for in-flight handlers, commits what they finished. */
  close(): Promise<void>;
  /**
   * Why this subscription stopped consuming on its own and will not resume (e.g. a Kafka consumer
   * that crashed without restart), or null while it consumes. Liveness reads it: such a pod must
   * be restarted. Absent: the adapter never dies on its own.
   */
  failure?(): Error | null;
}

export interface EventBus {
  readonly kind: 'kafka' | 'embedded';
  /** Creates topics that do not exist yet (idempotent). */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** The names among `topics` that do not exist (never creates anything). */
  missingTopics(topics: string[]): Promise<string[]>;
  /** Resolves once every message is durably accepted by the bus, in the given order per key. */
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** Consumer lag (messages not yet committed) per group and topic, for /metrics. */
  lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Uses `logger` from now on, unless the bus was created with a logger of its own. */
  adoptLogger?(logger: import('./logger').Logger): void;
}
