import { hostname } from 'node:os';
import {
  isDuplicateKeyError,
  newId,
  type Collection,
  type Doc,
  type DocumentStore,
  type Session,
} from '@omni/store';
import type { Static, TSchema } from 'typebox';
import { createEvent, toBusMessage } from './envelope';
import { kafkaRejection, PublishRejectedError } from './errors';
import { errorFields, silentLogger, type Logger } from './logger';
import { noopObserver, type EventsObserver } from './observer';
import type { CloudEvent, EventBus } from './port';
import type { EventDefinition, EventRegistry } from './registry';

/**
 * Transactional outbox. A service writes its events into its own `outbox` collection in the same
 * store transaction as the state change that caused them, so "state changed" and "event will be
 * published" are one atomic fact. The relay publishes the rows in id order and deletes them once the
 * bus acknowledged; a crash in between republishes (at-least-once, consumers deduplicate by id).
 */

export const OUTBOX_COLLECTION = 'outbox';
export const LEASES_COLLECTION = '_leases';
/** Rows the bus will never accept, moved out of the outbox so the rest can flow (see Relay). */
export const PARKED_COLLECTION = 'outbox_parked';

export interface OutboxRow extends Doc {
  /** = event id (newId(): time-ordered, so `_id` order is enqueue order). */
  _id: string;
  topic: string;
  /** Partition key = event subject. */
  key: string;
  type: string;
  /** The serialised CloudEvent, published as is. */
  event: string;
  headers: Record<string, string>;
  /** When it was enqueued (ISO); for the relay-lag metric. */
  createdAt: string;
}

export interface EnqueueInput<T> {
  subject: string;
  data: T;
  time?: Date | string;
  id?: string;
}

export interface Outbox {
  /**
   * Validates `data` against the registry and inserts the event into the outbox within `session`'s
   * transaction. Must be called inside `store.withTransaction`. Returns the event.
   */
  enqueue<S extends TSchema>(
    session: Session,
    def: EventDefinition<S>,
    input: EnqueueInput<Static<S>>,
  ): Promise<CloudEvent<Static<S>>>;
}

export interface OutboxOptions {
  /** CloudEvents `source` of this service, e.g. `/omni/orders`. */
  source: string;
  logger?: Logger;
}

export function createOutbox(store: DocumentStore, registry: EventRegistry, opts: OutboxOptions): Outbox {
  const outbox = store.collection<OutboxRow>({ name: OUTBOX_COLLECTION });
  const logger = opts.logger ?? silentLogger;
  return {
    async enqueue<S extends TSchema>(
      session: Session,
      def: EventDefinition<S>,
      input: EnqueueInput<Static<S>>,
    ) {
      if (!session.inTransaction) {
        throw new Error(
          `outbox.enqueue(${def.type}) must run inside store.withTransaction (atomic with the state change)`,
        );
      }
      // Throws UnknownEventTypeError for events the service did not declare, EventValidationError for bad data.
      registry.validate(def, input.data);
      const event = createEvent(def, { ...input, source: opts.source });
      const message = toBusMessage(event);
      await outbox.insertOne(
        {
          _id: event.id,
          topic: def.topic,
          key: message.key,
          type: event.type,
          event: message.value,
          headers: message.headers,
          createdAt: new Date().toISOString(),
        },
        { session },
      );
      logger.debug({ eventId: event.id, type: event.type, subject: event.subject }, 'event enqueued');
      return event;
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface OutboxRelayOptions {
  store: DocumentStore;
  bus: EventBus;
  logger?: Logger;
  observer?: EventsObserver;
  /** Identifies this replica in the lease. Default `<hostname>:<pid>:<random>`. */
  owner?: string;
  /** Lease document id in `_leases`. Default `outbox-relay`. */
  leaseName?: string;
  /** How long a lease lasts without renewal. Default 15 s (a dead replica's outbox waits at most that). */
  leaseTtlMs?: number;
  /** Poll period, for stores that cannot signal inserts (MongoDB adapter). Default 500 ms. */
  pollIntervalMs?: number;
  /** Rows read and published per round. Default 256. */
  batchSize?: number;
}

export interface OutboxRelay {
  /** Starts relaying: on every committed outbox insert, and every poll interval. Idempotent. */
  start(): void;
  /**
   * Publishes everything pending now (used by graceful shutdown and tests). Rejects if the bus
   * fails; resolves without publishing when another replica holds the lease.
   */
  flush(): Promise<void>;
  /** Stops relaying, waits for the round in flight, releases the lease. */
  stop(): Promise<void>;
  /** Whether this replica currently holds the relay lease. */
  isLeader(): boolean;
  /** For liveness: relaying, and since when the round in flight runs (null: none). */
  health(): { running: boolean; roundSince: number | null };
}

export interface ParkedRow extends OutboxRow {
  parkedAt: string;
  /** Why the bus refused it ('too-large', 'not-authorised', 'invalid'), or 'behind-parked'. */
  reason: string;
  error: string;
}

interface LeaseDoc extends Doc {
  _id: string;
  owner: string;
  /** ISO time; the lease is free after it. */
  expiresAt: string;
}

/**
 * The relay. Only the replica holding the lease (`_leases/<leaseName>`: owner + expiry, renewed
 * while relaying) publishes, so events of one service leave in one order. Rows are read in `_id`
 * order and published per topic in that order, so events of one key keep their enqueue order.
 *
 * The lease is renewed every `leaseTtlMs / 3` while a round runs (a publish stalled on a slow broker
 * included), and checked before each publish, so a slow round never lets a second replica in: two
 * replicas never publish at once unless this process is frozen for longer than the TTL.
 *
 * Unpublishable rows: when the bus refuses a row for good (PublishRejectedError: too large, not
 * authorised, invalid — retrying cannot help), the batch is retried row by row and the refused row is
 * moved to `outbox_parked` with the reason (metric outbox_parked_total, an error log line), and the
 * relay goes on with the other rows. Order per key is kept by parking, too, every later row of the
 * same topic and key ('behind-parked'): consumers never see event n+1 of an aggregate without event
 * n. Other keys are not held up. To replay after fixing the cause (raise the topic's size limit,
 * grant the ACL), move the key's parked rows back into `outbox` unchanged; their ids keep the order.
 * Transient bus failures (BusUnavailableError and the like) are not parked: the round stops and
 * the rows are retried on the next poll.
 *
 * Caveat: two transactions that enqueue for the same key without touching a common document may
 * commit in the other order than their ids; aggregates are written by both in practice, so the
 * store serialises them.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  return new Relay(opts);
}

class Relay implements OutboxRelay {
  private readonly outbox: Collection<OutboxRow>;
  private readonly parked: Collection<ParkedRow>;
  private readonly leases: Collection<LeaseDoc>;
  private readonly logger: Logger;
  private readonly observer: EventsObserver;
  private readonly owner: string;
  private readonly leaseName: string;
  private readonly leaseTtlMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  /** Local time until which we trust our lease (expiry minus a safety margin). */
  private leaseValidUntil = 0;
  private lastRenewal = 0;
  private started = false;
  private stopped = false;
  /** Rounds run strictly one after another on this chain. */
  private chain: Promise<void> = Promise.resolve();
  private roundQueued = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private failing = false;
  private roundSince: number | null = null;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.outbox = opts.store.collection<OutboxRow>({ name: OUTBOX_COLLECTION });
    this.parked = opts.store.collection<ParkedRow>({
      name: PARKED_COLLECTION,
      indexes: [{ keys: { topic: 1, key: 1 } }],
    });
    this.leases = opts.store.collection<LeaseDoc>({ name: LEASES_COLLECTION });
    this.logger = opts.logger ?? silentLogger;
    this.observer = opts.observer ?? noopObserver;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${newId()}`;
    this.leaseName = opts.leaseName ?? 'outbox-relay';
    this.leaseTtlMs = opts.leaseTtlMs ?? 15_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 500;
    this.batchSize = opts.batchSize ?? 256;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribe = this.opts.store.onInsert(OUTBOX_COLLECTION, () => this.wake());
    this.pollTimer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.pollTimer.unref();
    this.wake();
  }

  isLeader(): boolean {
    return Date.now() < this.leaseValidUntil;
  }

  health(): { running: boolean; roundSince: number | null } {
    return { running: this.started && !this.stopped, roundSince: this.roundSince };
  }

  /** Queues one background round unless one is already waiting to run. */
  private wake(): void {
    if (this.stopped || this.roundQueued) return;
    this.roundQueued = true;
    this.chain = this.chain.then(async () => {
      this.roundQueued = false;
      if (this.stopped) return;
      try {
        await this.drain();
        if (this.failing) this.logger.info({}, 'outbox relay recovered');
        this.failing = false;
      } catch (err) {
        // Logged once per failure streak; the next poll retries.
        if (!this.failing) this.logger.error({ err: errorFields(err) }, 'outbox relay failed; retrying');
        this.failing = true;
      }
    });
  }

  flush(): Promise<void> {
    const round = this.chain.then(() => this.drain());
    this.chain = round.catch(() => undefined);
    return round;
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.chain;
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.unsubscribe?.();
    await this.chain;
    if (this.leaseValidUntil > 0) {
      this.leaseValidUntil = 0;
      // Let another replica take over at once instead of after the TTL.
      await this.leases.deleteOne({ _id: this.leaseName, owner: this.owner }).catch((err: unknown) => {
        this.logger.warn({ err: errorFields(err) }, 'releasing the outbox lease failed');
      });
    }
  }

  /** Publishes rounds until the outbox is empty, as long as we hold the lease. */
  private async drain(): Promise<void> {
    // For liveness: a round that never ends is a stuck relay, not a slow one.
    this.roundSince = Date.now();
    let renewal: NodeJS.Timeout | undefined;
    try {
      if (!(await this.holdLease())) return;
      // Keep the lease while the rounds run, however long one publish takes.
      renewal = setInterval(
        () => {
          this.holdLease().catch((err: unknown) =>
            this.logger.warn({ err: errorFields(err) }, 'renewing the outbox lease failed'),
          );
        },
        Math.max(1, Math.floor(this.leaseTtlMs / 4)),
      );
      for (;;) {
        const read = await this.publishRound();
        if (read < this.batchSize || !(await this.holdLease())) return;
      }
    } finally {
      if (renewal) clearInterval(renewal);
      this.roundSince = null;
    }
  }

  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    // Renew after a third of the TTL; trust the lease until two thirds (margin for clock skew and slow rounds).
    if (now < this.leaseValidUntil && now - this.lastRenewal < this.leaseTtlMs / 3) return true;
    const expiresAt = new Date(now + this.leaseTtlMs).toISOString();
    try {
      const lease = await this.leases.findOneAndUpdate(
        {
          _id: this.leaseName,
          $or: [{ owner: this.owner }, { expiresAt: { $lt: new Date(now).toISOString() } }],
        },
        { $set: { owner: this.owner, expiresAt } },
        { upsert: true, returnDocument: 'after' },
      );
      if (lease?.owner === this.owner) {
        if (this.leaseValidUntil === 0)
          this.logger.info({ owner: this.owner, lease: this.leaseName }, 'outbox relay lease acquired');
        this.lastRenewal = now;
        this.leaseValidUntil = now + (this.leaseTtlMs * 2) / 3;
        return true;
      }
    } catch (err) {
      // Someone else holds it: the upsert collided with their document.
      if (!isDuplicateKeyError(err)) throw err;
    }
    if (this.leaseValidUntil > 0)
      this.logger.warn({ owner: this.owner, lease: this.leaseName }, 'outbox relay lease lost');
    this.leaseValidUntil = 0;
    return false;
  }

  /**
   * One round: the oldest `batchSize` rows, published per topic in id order, then deleted. Returns
   * how many rows were read (published or parked).
   */
  private async publishRound(): Promise<number> {
    const rows = await this.outbox.find({}, { sort: { _id: 1 }, limit: this.batchSize });
    if (rows.length === 0) return 0;
    const held = await this.heldKeys(rows);
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      if (held.has(slotOf(row))) {
        await this.park(row, 'behind-parked', 'an earlier event of this key is parked');
        continue;
      }
      let list = byTopic.get(row.topic);
      if (!list) {
        list = [];
        byTopic.set(row.topic, list);
      }
      list.push(row);
    }
    const oldest = Date.parse(rows[0]!.createdAt);
    for (const [topic, list] of byTopic) {
      // Fencing: never publish without a lease we still trust (the renewal may have lost it).
      if (!this.isLeader()) return rows.length;
      try {
        await this.publish(topic, list);
      } catch (err) {
        if (!rejection(err)) throw err;
        await this.publishOneByOne(topic, list, held);
        continue;
      }
      await this.outbox.deleteMany({ _id: { $in: list.map((row) => row._id) } });
      this.observer.published(topic, list.length);
    }
    if (!Number.isNaN(oldest)) this.observer.relayLag(Math.max(0, Date.now() - oldest));
    this.logger.debug({ published: rows.length }, 'outbox relayed');
    return rows.length;
  }

  private publish(topic: string, list: OutboxRow[]): Promise<void> {
    return this.opts.bus.publish(
      topic,
      list.map((row) => ({ key: row.key, value: row.event, headers: row.headers })),
    );
  }

  /** A batch was refused for good: find the refused rows, park them (and what follows them per key). */
  private async publishOneByOne(topic: string, list: OutboxRow[], held: Set<string>): Promise<void> {
    for (const row of list) {
      if (held.has(slotOf(row))) {
        await this.park(row, 'behind-parked', 'an earlier event of this key is parked');
        continue;
      }
      if (!this.isLeader()) return;
      try {
        await this.publish(topic, [row]);
      } catch (err) {
        const reason = rejection(err);
        if (!reason) throw err;
        held.add(slotOf(row));
        await this.park(row, reason, err instanceof Error ? err.message : String(err));
        continue;
      }
      await this.outbox.deleteOne({ _id: row._id });
      this.observer.published(topic, 1);
    }
  }

  /** Moves a row to `outbox_parked` (one transaction), with an alert metric and an error line. */
  private async park(row: OutboxRow, reason: string, error: string): Promise<void> {
    await this.opts.store.withTransaction(async (session) => {
      await this.parked.replaceOne(
        { _id: row._id },
        { ...row, parkedAt: new Date().toISOString(), reason, error },
        { session, upsert: true },
      );
      await this.outbox.deleteOne({ _id: row._id }, { session });
    });
    this.observer.parked?.(row.topic, reason);
    this.logger.error(
      { eventId: row._id, type: row.type, topic: row.topic, key: row.key, reason, error },
      'outbox event can never be published; parked in outbox_parked (later events of its key are held behind it)',
    );
  }

  /** `topic\0key` of the rows whose key already has parked rows. */
  private async heldKeys(rows: OutboxRow[]): Promise<Set<string>> {
    const keys = [...new Set(rows.map((r) => r.key))];
    const parked = await this.parked.find({ key: { $in: keys } }, { projection: { topic: 1, key: 1 } });
    return new Set(parked.map((p) => slotOf(p)));
  }
}

const slotOf = (row: { topic: string; key: string }): string => `${row.topic}\u0000${row.key}`;

/** The permanent reason the bus refused a publish, or null when it may succeed later. */
function rejection(err: unknown): string | null {
  if (err instanceof PublishRejectedError) return err.reason;
  return kafkaRejection(err);
}
