import { join } from 'node:path';
import { FaultSwitch, openJournal, type FaultOptions, type Journal } from '@omni/store';
import { BusUnavailableError, PublishRejectedError } from '../errors';
import { AdoptableLogger, errorFields, type Logger } from '../logger';
import { partitionForKey } from '../partitioner';
import type {
  BusMessage,
  DeliveredMessage,
  EventBus,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from '../port';
import { PartitionLog, type LogRecord } from './partition-log';

/**
 * The embedded event bus: an in-process partitioned log with Kafka's semantics, used by `npm start`
 * (one process, one bus shared by every service: it plays the broker) and by tests.
 *
 * - Topics have N partitions; a message's key picks one with Kafka's murmur2 partitioner, so a key
 *   maps to the same partition number here and on Kafka.
 * - Consumer groups keep a committed offset per partition. Members of one group split the
 *   partitions round-robin (partition p → p-th member modulo members, in join order); joining or
 *   leaving moves partitions, and the new owner starts only after the old one finished its
 *   in-flight message and committed, so a message is never handled by two members at once.
 * - Delivery: one message at a time per partition, in offset order, as soon as it is published
 *   (no polling). A handler rejection redelivers the same message after `retryDelayMs` with
 *   `attempt` + 1; nothing after it in that partition is delivered until it succeeds.
 * - Durability (with `dir`): records, topic and committed offsets go to a journal
 *   (`<dir>/bus.journal`, checksummed lines, group commit). A record becomes readable once the
 *   journal has it. Offsets are written coalesced (at most once per partition and group per tick),
 *   so a crash may redeliver the last few handled messages — at-least-once, never loss.
 * - Retention: a partition keeps at least `retainRecords` of its newest records; older ones are
 *   dropped once every group that ever subscribed to the topic has committed past them. Beyond
 *   `maxRecords` the oldest are dropped even if a group has not consumed them (logged as a
 *   warning), so memory stays bounded. The journal is compacted on open, on close, and whenever it
 *   has grown to twice its compacted size (and at least `compactBytes`).
 */
export interface EmbeddedBusOptions {
  /** Directory for the journal; omit for a memory-only bus. */
  dir?: string;
  /** Partitions of topics created implicitly or without a spec. Default 8. */
  partitions?: number;
  /** fsync each journal batch (survive power loss, not just process death). Default false. */
  fsync?: boolean;
  logger?: Logger;
  /** Newest records kept per partition even when consumed. Default 1,000. */
  retainRecords?: number;
  /** Hard cap of records per partition (consumed or not). Default 500,000. */
  maxRecords?: number;
  /** Minimum journal size before a runtime compaction. Default 64 MiB. */
  compactBytes?: number;
  /** Default delay before a failed message is redelivered. Default 1000 ms. */
  retryDelayMs?: number;
  /**
   * Largest message accepted (key + value + headers, bytes), as Kafka's `max.message.bytes`;
   * larger ones are refused with PublishRejectedError('too-large'). Default 1 MiB.
   */
  maxMessageBytes?: number;
  /**
   * Fault injection: an outage window (publish, subscribe, lag and ping fail with
   * BusUnavailableError; nothing is delivered meanwhile). Also at run time via `bus.faults`.
   */
  faults?: FaultOptions;
}

/** Journal records (short keys: one line per message). */
type BusRecord =
  | { t: 't'; topic: string; n: number; starts?: number[] }
  | { t: 'm'; topic: string; p: number; o: number; k: string; v: string; h?: Record<string, string> }
  | { t: 'c'; g: string; topic: string; p: number; o: number };

export class BusClosedError extends Error {
  constructor() {
    super('event bus is closed');
    this.name = 'BusClosedError';
  }
}

interface Topic {
  name: string;
  partitions: PartitionLog[];
}

class Group {
  /** topic → next offset to deliver per partition (-1: nothing committed yet). */
  readonly committed = new Map<string, number[]>();
  readonly members: Member[] = [];
  /** `topic\0partition` → the worker currently owning it. */
  readonly workers = new Map<string, PartitionWorker>();
  constructor(readonly id: string) {}
}

class Member implements Subscription {
  closed = false;
  closing: Promise<void> | null = null;
  readonly workers = new Set<PartitionWorker>();
  constructor(
    readonly bus: EmbeddedBus,
    readonly group: Group,
    readonly topics: string[],
    readonly handler: (msg: DeliveredMessage) => Promise<void>,
    readonly retryDelayMs: number,
    readonly fromBeginning: boolean,
  ) {}

  close(): Promise<void> {
    this.closing ??= this.bus.leave(this);
    return this.closing;
  }
}

/** Delivers one partition to one member of a group until stopped. */
class PartitionWorker {
  stopped = false;
  readonly done: Promise<void>;
  private wake: (() => void) | null = null;
  private cancelSleep: (() => void) | null = null;

  constructor(
    private readonly bus: EmbeddedBus,
    readonly member: Member,
    private readonly topic: string,
    private readonly partition: number,
    private readonly log: PartitionLog,
    after: Promise<void>,
  ) {
    this.done = this.run(after).catch((err: unknown) => {
      bus.logger.error({ err: errorFields(err), topic, partition }, 'embedded bus worker crashed');
    });
  }

  /** Stops after the in-flight handler (if any) settles; a pending retry is abandoned, uncommitted. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.wake) {
      this.log.offVisible(this.wake);
      this.wake();
    }
    this.cancelSleep?.();
  }

  private async run(after: Promise<void>): Promise<void> {
    // The previous owner of this partition must have finished and committed first.
    await after;
    if (this.stopped) return;
    const { log, member } = this;
    const group = member.group;
    let position = this.bus.committedOffset(group, this.topic, this.partition);
    if (position < 0) {
      position = member.fromBeginning ? log.base : log.visible;
      this.bus.commit(group, this.topic, this.partition, position);
    }
    while (!this.stopped) {
      if (position < log.base) position = log.base; // dropped by the hard retention cap
      if (position >= log.visible) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          log.onVisible(resolve);
        });
        this.wake = null;
        continue;
      }
      if (this.bus.faults.isDown) {
        // Broker outage: nothing is fetched until it is back.
        await this.pause(Math.min(100, Math.max(1, this.bus.faults.downForMs)));
        continue;
      }
      const record = log.get(position)!;
      if (!(await this.deliver(record, position))) return;
      position++;
      this.bus.commit(group, this.topic, this.partition, position);
      // Consumers also free memory: what was held back for this group may go now.
      if (log.length > log.retentionMark) this.bus.applyRetention(this.topic, this.partition, log);
    }
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.cancelSleep = null;
  }

  /** Calls the handler until it resolves (true) or the worker is stopped (false, not committed). */
  private async deliver(record: LogRecord, offset: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.member.handler({
          topic: this.topic,
          partition: this.partition,
          offset: String(offset),
          key: record.key,
          value: record.value,
          ...(record.headers ? { headers: { ...record.headers } } : {}),
          attempt,
        });
        return true;
      } catch (err) {
        this.bus.logger.debug(
          {
            err: errorFields(err),
            topic: this.topic,
            partition: this.partition,
            offset,
            attempt,
            group: this.member.group.id,
          },
          'handler failed; message will be redelivered',
        );
        if (this.stopped) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.member.retryDelayMs);
          this.cancelSleep = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.cancelSleep = null;
        if (this.stopped) return false;
      }
    }
  }
}

const slotKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class EmbeddedBus implements EventBus {
  readonly kind = 'embedded' as const;
  readonly logger: AdoptableLogger;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly defaultPartitions: number;
  private readonly retainRecords: number;
  private readonly maxRecords: number;
  private readonly compactBytes: number;
  private readonly retryDelayMs: number;
  private readonly maxMessageBytes: number;
  /** Fault switches (off by default): `bus.faults.down(5_000)`. */
  readonly faults: FaultSwitch;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Offsets changed since the last journal write: `group\0topic\0partition`. */
  private readonly dirtyCommits = new Map<string, [Group, string, number]>();
  private commitFlushScheduled = false;
  private compacting: Promise<void> | null = null;
  private compactAt: number;
  private loading = false;
  /** A journal write failed: the journal is fail-stop, so the bus is no longer durable (ping() fails). */
  private failure: Error | null = null;

  private journal: Journal<BusRecord> | null = null;
  private opened: boolean;
  /**
   * Resolves when the bus is usable: at once without `dir`, after the journal was loaded and
   * compacted with it. Operations called earlier wait for it (in call order); if opening fails they
   * all reject with the error, and so does `ping()`.
   */
  readonly ready: Promise<void>;

  constructor(opts: EmbeddedBusOptions = {}) {
    this.logger = new AdoptableLogger(opts.logger);
    this.defaultPartitions = opts.partitions ?? 8;
    this.retainRecords = opts.retainRecords ?? 1_000;
    this.maxRecords = Math.max(opts.maxRecords ?? 500_000, this.retainRecords);
    this.compactBytes = opts.compactBytes ?? 64 * 1024 * 1024;
    this.compactAt = this.compactBytes;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.maxMessageBytes = opts.maxMessageBytes ?? 1024 * 1024;
    this.faults = new FaultSwitch(opts.faults);
    if (!Number.isInteger(this.defaultPartitions) || this.defaultPartitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${this.defaultPartitions}`);
    }
    if (opts.dir) {
      this.opened = false;
      this.ready = this.open(opts.dir, opts.fsync ?? false);
      this.ready.catch((err: unknown) =>
        this.logger.error({ err: errorFields(err) }, 'embedded bus failed to open its journal'),
      );
    } else {
      this.opened = true;
      this.ready = Promise.resolve();
    }
  }

  private async open(dir: string, fsync: boolean): Promise<void> {
    const { journal, records } = await openJournal<BusRecord>(join(dir, 'bus.journal'), { fsync });
    this.journal = journal;
    this.load(records);
    await this.compact();
    this.opened = true;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    await this.ready;
    this.assertOpen();
    this.assertUp();
    for (const spec of topics) this.topic(spec.name, spec.partitions);
  }

  async missingTopics(topics: string[]): Promise<string[]> {
    await this.ready;
    this.assertOpen();
    this.assertUp();
    return topics.filter((name) => !this.topics.has(name));
  }

  publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (!this.opened) return this.ready.then(() => this.publish(topic, messages));
    if (this.closed) return Promise.reject(new BusClosedError());
    if (this.faults.isDown) return Promise.reject(this.downError());
    if (messages.length === 0) return Promise.resolve();
    const t = this.topic(topic);
    const partitionCount = t.partitions.length;
    const touched = new Map<PartitionLog, number>();
    let lastWrite: Promise<void> | undefined;
    for (const message of messages) {
      if (typeof message.key !== 'string' || typeof message.value !== 'string') {
        return Promise.reject(new TypeError(`publish(${topic}): key and value must be strings`));
      }
      const size =
        Buffer.byteLength(message.key) +
        Buffer.byteLength(message.value) +
        (message.headers ? Buffer.byteLength(JSON.stringify(message.headers)) : 0);
      if (size > this.maxMessageBytes) {
        return Promise.reject(
          new PublishRejectedError(
            'too-large',
            `publish(${topic}): message of ${size} bytes exceeds the ${this.maxMessageBytes}-byte limit`,
          ),
        );
      }
    }
    for (const message of messages) {
      const partition = partitionForKey(message.key, partitionCount);
      const log = t.partitions[partition]!;
      const headers =
        message.headers && Object.keys(message.headers).length > 0 ? { ...message.headers } : undefined;
      const offset = log.append({ key: message.key, value: message.value, headers });
      touched.set(log, offset + 1);
      if (this.journal) {
        const record: BusRecord = {
          t: 'm',
          topic,
          p: partition,
          o: offset,
          k: message.key,
          v: message.value,
        };
        if (headers) record.h = headers;
        lastWrite = this.journal.append(record);
      }
      if (log.length > log.retentionMark) this.applyRetention(t.name, partition, log);
    }
    if (!lastWrite) {
      for (const [log, upTo] of touched) log.makeVisible(upTo);
      return Promise.resolve();
    }
    this.maybeCompact();
    // Journal batches are written in order, so the last append settling means all of them did.
    return lastWrite.then(
      () => {
        for (const [log, upTo] of touched) log.makeVisible(upTo);
      },
      (err: unknown) => {
        this.journalFailed(err);
        throw err;
      },
    );
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    await this.ready;
    this.assertOpen();
    this.assertUp();
    if (!opts.group) throw new Error('subscribe: group is required');
    if (opts.topics.length === 0) throw new Error('subscribe: at least one topic is required');
    let group = this.groups.get(opts.group);
    if (!group) {
      group = new Group(opts.group);
      this.groups.set(opts.group, group);
    }
    const topics = [...new Set(opts.topics)];
    for (const name of topics) {
      const t = this.topic(name);
      // Registering the group on the topic also makes retention wait for it.
      if (!group.committed.has(name))
        group.committed.set(name, new Array<number>(t.partitions.length).fill(-1));
    }
    const member = new Member(
      this,
      group,
      topics,
      opts.handler,
      opts.retryDelayMs ?? this.retryDelayMs,
      opts.fromBeginning ?? true,
    );
    group.members.push(member);
    this.rebalance(group);
    return member;
  }

  async lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>> {
    await this.ready;
    this.assertUp();
    const out: Array<{ group: string; topic: string; partition: number; lag: number }> = [];
    for (const group of this.groups.values()) {
      for (const [topicName, offsets] of group.committed) {
        const t = this.topics.get(topicName);
        if (!t) continue;
        t.partitions.forEach((log, partition) => {
          const committed = offsets[partition] ?? -1;
          out.push({
            group: group.id,
            topic: topicName,
            partition,
            lag: log.visible - Math.max(committed, log.base),
          });
        });
      }
    }
    return out;
  }

  adoptLogger(logger: Logger): void {
    this.logger.adopt(logger);
  }

  async ping(): Promise<void> {
    await this.ready;
    this.assertOpen();
    this.assertUp();
    if (this.failure) throw this.failure;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------
  // internals used by members and workers

  committedOffset(group: Group, topic: string, partition: number): number {
    return group.committed.get(topic)?.[partition] ?? -1;
  }

  commit(group: Group, topic: string, partition: number, offset: number): void {
    let offsets = group.committed.get(topic);
    if (!offsets) {
      offsets = new Array<number>(this.topic(topic).partitions.length).fill(-1);
      group.committed.set(topic, offsets);
    }
    offsets[partition] = offset;
    if (!this.journal) return;
    this.dirtyCommits.set(`${group.id}\u0000${topic}\u0000${partition}`, [group, topic, partition]);
    if (!this.commitFlushScheduled) {
      this.commitFlushScheduled = true;
      setImmediate(() => {
        this.commitFlushScheduled = false;
        void this.writeCommits();
      });
    }
  }

  async leave(member: Member): Promise<void> {
    member.closed = true;
    const group = member.group;
    const index = group.members.indexOf(member);
    if (index >= 0) group.members.splice(index, 1);
    this.rebalance(group);
    await Promise.all([...member.workers].map((w) => w.done));
    await this.writeCommits();
  }

  // -------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError();
  }

  private assertUp(): void {
    if (this.faults.isDown) throw this.downError();
  }

  private downError(): BusUnavailableError {
    return new BusUnavailableError('embedded bus is down (injected outage)');
  }

  /** The topic, created with `partitions` (or the default) if it does not exist yet. */
  private topic(name: string, partitions?: number): Topic {
    let t = this.topics.get(name);
    if (t) return t;
    if (!name) throw new Error('topic name is required');
    const n = partitions ?? this.defaultPartitions;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`topic ${name}: invalid partition count ${n}`);
    t = { name, partitions: Array.from({ length: n }, () => this.newLog()) };
    this.topics.set(name, t);
    if (this.journal && !this.loading) {
      this.journal.append({ t: 't', topic: name, n }).catch((err: unknown) => this.journalFailed(err));
    }
    return t;
  }

  private newLog(): PartitionLog {
    const log = new PartitionLog();
    log.retentionMark = this.retainRecords + this.retentionSlack();
    return log;
  }

  private retentionSlack(): number {
    return Math.max(256, this.retainRecords >> 2);
  }

  /** Assigns every subscribed partition of the group to one live member (round-robin). */
  private rebalance(group: Group): void {
    const wanted = new Map<string, [Member, string, number]>();
    const topicNames = new Set(group.members.flatMap((m) => m.topics));
    for (const name of topicNames) {
      const members = group.members.filter((m) => !m.closed && m.topics.includes(name));
      if (members.length === 0) continue;
      const t = this.topic(name);
      for (let p = 0; p < t.partitions.length; p++)
        wanted.set(slotKey(name, p), [members[p % members.length]!, name, p]);
    }
    for (const [key, worker] of group.workers) {
      if (wanted.get(key)?.[0] !== worker.member) {
        worker.stop();
        if (!wanted.has(key)) group.workers.delete(key);
      }
    }
    for (const [key, [member, name, p]] of wanted) {
      const current = group.workers.get(key);
      if (current && current.member === member && !current.stopped) continue;
      const worker = new PartitionWorker(
        this,
        member,
        name,
        p,
        this.topic(name).partitions[p]!,
        current ? current.done : Promise.resolve(),
      );
      group.workers.set(key, worker);
      member.workers.add(worker);
      void worker.done.then(() => member.workers.delete(worker));
    }
  }

  /** Drops what may be dropped from one partition (see the class comment for the rules). */
  applyRetention(topic: string, partition: number, log: PartitionLog): void {
    // Everything every interested group has committed may go...
    let consumed = log.end;
    for (const group of this.groups.values()) {
      const offsets = group.committed.get(topic);
      if (!offsets) continue;
      const committed = offsets[partition] ?? -1;
      consumed = Math.min(consumed, committed < 0 ? log.base : committed);
    }
    // ...but keep the newest `retainRecords`, and never more than `maxRecords`.
    let dropTo = Math.min(consumed, log.end - this.retainRecords);
    const hardFloor = log.end - this.maxRecords;
    if (hardFloor > dropTo) {
      this.logger.warn(
        { topic, partition, dropped: hardFloor - Math.max(dropTo, log.base), maxRecords: this.maxRecords },
        'embedded bus partition over its record cap: dropping records not yet consumed by every group',
      );
      dropTo = hardFloor;
    }
    log.dropBefore(dropTo);
    log.retentionMark = Math.max(log.length, this.retainRecords) + this.retentionSlack();
  }

  private async writeCommits(): Promise<void> {
    if (!this.journal || this.dirtyCommits.size === 0) return;
    let last: Promise<void> | undefined;
    for (const [group, topic, p] of this.dirtyCommits.values()) {
      last = this.journal.append({ t: 'c', g: group.id, topic, p, o: this.committedOffset(group, topic, p) });
    }
    this.dirtyCommits.clear();
    try {
      await last;
    } catch (err) {
      this.journalFailed(err);
    }
  }

  private journalFailed(err: unknown): void {
    if (!this.failure) this.logger.error({ err: errorFields(err) }, 'embedded bus journal write failed');
    this.failure = err instanceof Error ? err : new Error(String(err));
  }

  /** Everything the journal must hold to rebuild the current state. */
  *snapshot(): Generator<BusRecord> {
    for (const t of this.topics.values()) {
      yield { t: 't', topic: t.name, n: t.partitions.length, starts: t.partitions.map((log) => log.base) };
      for (let p = 0; p < t.partitions.length; p++) {
        for (const [o, r] of t.partitions[p]!.entries()) {
          const record: BusRecord = { t: 'm', topic: t.name, p, o, k: r.key, v: r.value };
          if (r.headers) record.h = { ...r.headers };
          yield record;
        }
      }
    }
    for (const group of this.groups.values()) {
      for (const [topic, offsets] of group.committed) {
        for (let p = 0; p < offsets.length; p++) {
          const o = offsets[p]!;
          if (o >= 0) yield { t: 'c', g: group.id, topic, p, o };
        }
      }
    }
  }

  /** Rewrites the journal to the live state. Safe while publishing (see Journal.rewrite). */
  compact(): Promise<void> {
    if (!this.journal) return Promise.resolve();
    if (this.compacting) return this.compacting;
    for (const t of this.topics.values()) {
      t.partitions.forEach((log, p) => this.applyRetention(t.name, p, log));
    }
    const journal = this.journal;
    this.dirtyCommits.clear(); // the snapshot carries the current offsets
    this.compacting = journal
      .rewrite(this.snapshot())
      .then(() => {
        this.compactAt = Math.max(this.compactBytes, journal.size() * 2);
      })
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }

  private maybeCompact(): void {
    if (!this.journal || this.compacting || this.journal.size() < this.compactAt) return;
    this.compact().catch((err: unknown) => this.journalFailed(err));
  }

  /** Applies journal records read at open (nothing is written back until the compaction after it). */
  load(records: BusRecord[]): void {
    this.loading = true;
    try {
      this.replay(records);
    } finally {
      this.loading = false;
    }
  }

  private replay(records: BusRecord[]): void {
    for (const record of records) {
      if (record.t === 't') {
        const t = this.topic(record.topic, record.n);
        record.starts?.forEach((start, p) => t.partitions[p]?.startAt(start));
      } else if (record.t === 'm') {
        const log = this.topic(record.topic).partitions[record.p];
        if (!log) continue;
        const contiguous = log.restore(record.o, { key: record.k, value: record.v, headers: record.h });
        if (!contiguous) {
          this.logger.warn(
            { topic: record.topic, partition: record.p, offset: record.o },
            'embedded bus journal has a gap',
          );
        }
      } else if (record.t === 'c') {
        let group = this.groups.get(record.g);
        if (!group) {
          group = new Group(record.g);
          this.groups.set(record.g, group);
        }
        const t = this.topic(record.topic);
        let offsets = group.committed.get(record.topic);
        if (!offsets) {
          offsets = new Array<number>(t.partitions.length).fill(-1);
          group.committed.set(record.topic, offsets);
        }
        if (record.p < offsets.length) offsets[record.p] = record.o;
      }
    }
    // Retention is applied by the compaction that follows loading.
  }

  private async shutdown(): Promise<void> {
    // A bus whose journal failed to open has nothing to close but the file (if it got that far).
    await this.ready.catch(() => undefined);
    this.closed = true;
    const members = [...this.groups.values()].flatMap((g) => g.members);
    await Promise.all(members.map((m) => m.close()));
    if (!this.journal) return;
    // Only a fully loaded, healthy bus may rewrite the file: a partial state would lose records.
    if (this.opened && !this.failure) {
      await this.writeCommits();
      await this.compacting?.catch(() => undefined);
      await this.compact().catch((err: unknown) => this.journalFailed(err));
    }
    await this.journal.close();
  }
}

/**
 * Creates an embedded bus. With `dir`, state is loaded from (and kept in) `<dir>/bus.journal`;
 * loading happens in the background (`bus.ready`), operations wait for it.
 */
export function createEmbeddedBus(opts: EmbeddedBusOptions = {}): EmbeddedBus {
  return new EmbeddedBus(opts);
}
