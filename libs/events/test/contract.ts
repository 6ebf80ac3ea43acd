/**
 * The event-bus contract: every adapter (embedded, Kafka) must pass this one suite.
 * Call `eventBusContract(target)` inside a describe block of the adapter's test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId, type EmbeddedStore } from '@omni/store';
import { Type } from 'typebox';
import { afterEach, expect, it } from 'vitest';
import {
  createConsumer,
  createEvent,
  createOutbox,
  createOutboxRelay,
  DeadLettered,
  defineEvent,
  EventRegistry,
  parseEvent,
  partitionForKey,
  toBusMessage,
  type ConsumeOutcome,
  type DeliveredMessage,
  type EventBus,
  type EventsObserver,
} from '../src';
import { createEmbeddedStore, waitFor } from './helpers';

export interface ContractTarget {
  /** A new bus instance on the shared broker / data (each call is a separate client). */
  newBus(): EventBus | Promise<EventBus>;
  /** Extra wait after subscribing, for brokers whose group joins settle asynchronously. */
  settleMs?: number;
  /** Upper bound for anything to arrive. */
  timeoutMs?: number;
}

const PARTITIONS = 4;

const unique = (prefix: string): string => `contract.${prefix}.${newId().toLowerCase()}`;

const Incremented = (topic: string) =>
  defineEvent({
    type: 'omni.contract.counter.incremented.v1',
    topic,
    schema: Type.Object({ by: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  });

function recordingObserver(): {
  observer: EventsObserver;
  outcomes: Array<[string, ConsumeOutcome]>;
  published: Map<string, number>;
} {
  const outcomes: Array<[string, ConsumeOutcome]> = [];
  const published = new Map<string, number>();
  const observer: EventsObserver = {
    published: (topic, n) => void published.set(topic, (published.get(topic) ?? 0) + n),
    consumed: (_group, type, outcome) => void outcomes.push([type, outcome]),
    relayLag: () => undefined,
  };
  return { observer, outcomes, published };
}

export function eventBusContract(target: ContractTarget): void {
  const timeoutMs = target.timeoutMs ?? 20_000;
  const cleanups: Array<() => Promise<void>> = [];
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, target.settleMs ?? 0));

  async function bus(): Promise<EventBus> {
    const b = await target.newBus();
    cleanups.push(() => b.close());
    return b;
  }

  async function memoryStore(): Promise<EmbeddedStore> {
    const store = createEmbeddedStore();
    await store.init();
    cleanups.push(() => store.close());
    return store;
  }

  async function topicOn(b: EventBus, prefix: string): Promise<string> {
    const topic = unique(prefix);
    await b.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
    return topic;
  }

  afterEach(async () => {
    // Close in reverse order of creation (consumers before their bus).
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps per-key order across many keys and partitions, key → partition as Kafka', async () => {
    const b = await bus();
    const topic = await topicOn(b, 'order');
    const seen = new Map<string, number[]>();
    const partitionOfKey = new Map<string, Set<number>>();
    let total = 0;
    const sub = await b.subscribe({
      group: unique('g'),
      topics: [topic],
      handler: async (m) => {
        const [key, seq] = m.value.split(':');
        seen.set(key!, [...(seen.get(key!) ?? []), Number(seq)]);
        partitionOfKey.set(m.key, (partitionOfKey.get(m.key) ?? new Set()).add(m.partition));
        total++;
      },
    });
    cleanups.push(() => sub.close());
    await settle();
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    for (let round = 0; round < 20; round += 5) {
      const batch = [];
      for (let r = round; r < round + 5; r++)
        for (const key of keys) batch.push({ key, value: `${key}:${r}` });
      await b.publish(topic, batch);
    }
    await waitFor('1000 messages', () => total >= 1000, timeoutMs);
    expect(total).toBe(1000);
    for (const key of keys) {
      expect(seen.get(key), key).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect([...partitionOfKey.get(key)!]).toEqual([partitionForKey(key, PARTITIONS)]);
    }
    expect(new Set([...partitionOfKey.values()].flatMap((s) => [...s])).size).toBe(PARTITIONS);
  });

  it('delivers everything to every group, and each message to one member of a group', async () => {
    const b = await bus();
    const topic = await topicOn(b, 'groups');
    const groupA: string[] = [];
    const groupB: string[] = [];
    const member1: DeliveredMessage[] = [];
    const member2: DeliveredMessage[] = [];
    const shared = unique('shared');
    for (const [group, sink] of [
      [unique('a'), groupA],
      [unique('b'), groupB],
    ] as const) {
      const sub = await b.subscribe({
        group,
        topics: [topic],
        handler: async (m) => void sink.push(m.value),
      });
      cleanups.push(() => sub.close());
    }
    const s1 = await b.subscribe({
      group: shared,
      topics: [topic],
      handler: async (m) => void member1.push(m),
    });
    const s2 = await b.subscribe({
      group: shared,
      topics: [topic],
      handler: async (m) => void member2.push(m),
    });
    cleanups.push(
      () => s1.close(),
      () => s2.close(),
    );
    await settle();

    const values = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await b.publish(
      topic,
      values.map((value, i) => ({ key: `k${i % 40}`, value })),
    );
    await waitFor(
      'all groups to get 200',
      () => groupA.length >= 200 && groupB.length >= 200 && member1.length + member2.length >= 200,
      timeoutMs,
    );
    expect(new Set(groupA)).toEqual(new Set(values));
    expect(new Set(groupB)).toEqual(new Set(values));
    expect(groupA).toHaveLength(200);
    const both = [...member1, ...member2].map((m) => m.value);
    expect(both).toHaveLength(200); // each message once
    expect(new Set(both)).toEqual(new Set(values));
    expect(member1.length).toBeGreaterThan(0);
    expect(member2.length).toBeGreaterThan(0);
    // Partitions are split: no partition is served to both members.
    const p1 = new Set(member1.map((m) => m.partition));
    expect(member2.some((m) => p1.has(m.partition))).toBe(false);
  });

  it('redelivers a failed message, in order, with attempt incremented', async () => {
    const b = await bus();
    const topic = await topicOn(b, 'redeliver');
    const log: Array<[string, number]> = [];
    const sub = await b.subscribe({
      group: unique('g'),
      topics: [topic],
      retryDelayMs: 20,
      handler: async (m) => {
        log.push([m.value, m.attempt]);
        if (m.value === 'k:3' && m.attempt <= 2) throw new Error('transient');
      },
    });
    cleanups.push(() => sub.close());
    await settle();
    await b.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `k:${i}` })),
    );
    await waitFor('k:9', () => log.some(([v]) => v === 'k:9'), timeoutMs);
    expect(log).toEqual([
      ['k:0', 1],
      ['k:1', 1],
      ['k:2', 1],
      ['k:3', 1],
      ['k:3', 2],
      ['k:3', 3],
      ['k:4', 1],
      ['k:5', 1],
      ['k:6', 1],
      ['k:7', 1],
      ['k:8', 1],
      ['k:9', 1],
    ]);
  });

  it('redelivers to the next subscription what a closed one did not commit', async () => {
    const b = await bus();
    const topic = await topicOn(b, 'resume');
    const group = unique('g');
    const first: Array<[string, number]> = [];
    const sub1 = await b.subscribe({
      group,
      topics: [topic],
      retryDelayMs: 20,
      handler: async (m) => {
        first.push([m.value, m.attempt]);
        if (m.value === 'x:2') throw new Error('stuck');
      },
    });
    await settle();
    await b.publish(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: 'x', value: `x:${i}` })),
    );
    await waitFor('x:2 retried', () => first.filter(([v]) => v === 'x:2').length >= 2, timeoutMs);
    await sub1.close();
    expect(first.map(([v]) => v)).not.toContain('x:3');

    const second: string[] = [];
    const sub2 = await b.subscribe({
      group,
      topics: [topic],
      handler: async (m) => void second.push(m.value),
    });
    cleanups.push(() => sub2.close());
    await waitFor('x:4 on the new subscription', () => second.includes('x:4'), timeoutMs);
    expect(second).toEqual(['x:2', 'x:3', 'x:4']);
  });

  it('applies an event delivered twice only once (consumer + inbox), skips unknown types', async () => {
    const b = await bus();
    const store = await memoryStore();
    const topic = await topicOn(b, 'idem');
    const def = Incremented(topic);
    const registry = new EventRegistry();
    const { observer, outcomes } = recordingObserver();
    const counters = store.collection<{ _id: string; n: number }>('counters');
    const consumer = createConsumer({ bus: b, store, registry, group: unique('g'), observer }).on(
      def,
      async (event, { session }) => {
        await counters.findOneAndUpdate(
          { _id: event.subject },
          { $inc: { n: event.data.by } },
          { upsert: true, session },
        );
      },
    );
    await consumer.start();
    cleanups.push(() => consumer.stop());
    await settle();

    const e1 = createEvent(def, { subject: 'c1', source: '/contract', data: { by: 1 } });
    const e2 = createEvent(def, { subject: 'c1', source: '/contract', data: { by: 10 } });
    const other = {
      ...createEvent(def, { subject: 'c1', source: '/contract', data: { by: 100 } }),
      type: 'omni.contract.other.v1',
    };
    await b.publish(topic, [
      toBusMessage(e1),
      toBusMessage(e1),
      toBusMessage(other as typeof e1),
      toBusMessage(e2),
    ]);
    await b.publish(topic, [toBusMessage(e1)]);
    await waitFor('5 deliveries', () => outcomes.length >= 5, timeoutMs);
    expect(outcomes.map(([, o]) => o)).toEqual(['ok', 'duplicate', 'skipped', 'ok', 'duplicate']);
    expect((await counters.findById('c1'))?.n).toBe(11);
    expect(registry.rolesOf(def.type)).toEqual(['consumes']);
  });

  it('publishes an outbox event committed before a crash exactly once after restart', async () => {
    const b = await bus();
    const topic = await topicOn(b, 'outbox');
    const def = Incremented(topic);
    const registry = new EventRegistry().produces(def);
    const dir = await mkdtemp(join(tmpdir(), 'omni-outbox-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    // Process 1: state change + outbox row in one transaction, then it "dies" before relaying.
    const store1 = createEmbeddedStore({ dir });
    await store1.init();
    const outbox = createOutbox(store1, registry, { source: '/contract' });
    const enqueued = await store1.withTransaction(async (session) => {
      await store1.collection('accounts').insertOne({ _id: 'acc-1', balance: 5 }, { session });
      return outbox.enqueue(session, def, { subject: 'acc-1', data: { by: 5 } });
    });
    await store1.close();

    // Process 2: same data directory.
    const store2 = createEmbeddedStore({ dir });
    await store2.init();
    cleanups.push(() => store2.close());
    expect(await store2.collection('accounts').findById('acc-1')).toMatchObject({ balance: 5 });
    const received: DeliveredMessage[] = [];
    const sub = await b.subscribe({
      group: unique('g'),
      topics: [topic],
      handler: async (m) => void received.push(m),
    });
    cleanups.push(() => sub.close());
    await settle();

    const relay = createOutboxRelay({ store: store2, bus: b, pollIntervalMs: 50 });
    await relay.flush();
    await relay.stop();
    // A second relay (another restart) finds nothing left to publish.
    const relay2 = createOutboxRelay({ store: store2, bus: b });
    await relay2.flush();
    await relay2.stop();
    await b.publish(topic, [{ key: 'acc-1', value: 'sentinel' }]);
    await waitFor('the sentinel', () => received.some((m) => m.value === 'sentinel'), timeoutMs);

    expect(received.map((m) => m.value)).toHaveLength(2);
    const event = parseEvent(received[0]!.value);
    expect(event).toMatchObject({ id: enqueued.id, type: def.type, subject: 'acc-1', data: { by: 5 } });
    expect(received[0]!.key).toBe('acc-1');
    expect(received[0]!.headers).toMatchObject({ ce_id: enqueued.id, ce_type: def.type });
    expect(await store2.collection('outbox').countDocuments({})).toBe(0);
  });

  it('dead-letters after maxAttempts, and invalid messages at once', async () => {
    const b = await bus();
    const store = await memoryStore();
    const topic = await topicOn(b, 'poison');
    const deadLetterTopic = await topicOn(b, 'dlq');
    const def = Incremented(topic);
    const registry = new EventRegistry();
    const calls: string[] = [];
    const { observer, outcomes } = recordingObserver();
    const group = unique('g');
    const consumer = createConsumer({
      bus: b,
      store,
      registry,
      group,
      observer,
      maxAttempts: 3,
      backoff: { initialMs: 5, maxMs: 20 },
      deadLetterTopic,
    }).on(def, async (event) => {
      calls.push(event.id);
      if (event.data.by === 13) throw new Error('kaput');
    });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    const deadLetters: DeliveredMessage[] = [];
    const dl = await b.subscribe({
      group: unique('dl'),
      topics: [deadLetterTopic],
      handler: async (m) => void deadLetters.push(m),
    });
    cleanups.push(() => dl.close());
    await settle();

    const poison = createEvent(def, { subject: 'p', source: '/contract', data: { by: 13 } });
    const invalid = createEvent(def, { subject: 'p', source: '/contract', data: { by: -1 } });
    const after = createEvent(def, { subject: 'p', source: '/contract', data: { by: 1 } });
    await b.publish(topic, [
      toBusMessage(poison),
      toBusMessage(invalid),
      { key: 'p', value: 'not json' },
      toBusMessage(after),
    ]);
    await waitFor(
      '3 dead letters and the next event',
      () => deadLetters.length >= 3 && calls.includes(after.id),
      timeoutMs,
    );

    const letters = deadLetters.map((m) => parseEvent(m.value));
    for (const letter of letters) {
      expect(letter.type).toBe(DeadLettered.type);
      expect(() =>
        new EventRegistry().register(DeadLettered).validate(DeadLettered, letter.data),
      ).not.toThrow();
    }
    expect(letters.map((l) => l.data)).toMatchObject([
      {
        reason: 'handler-failed',
        group,
        topic,
        key: 'p',
        eventId: poison.id,
        attempts: 3,
        error: { message: 'kaput' },
      },
      { reason: 'invalid-data', group, topic, eventId: invalid.id, attempts: 1 },
      { reason: 'invalid-event', group, topic, value: 'not json', attempts: 1 },
    ]);
    expect(deadLetters.every((m) => m.key === 'p')).toBe(true);
    expect(calls).toEqual([poison.id, poison.id, poison.id, after.id]);
    expect(outcomes.map(([, o]) => o)).toEqual([
      'retry',
      'retry',
      'dead-lettered',
      'dead-lettered',
      'dead-lettered',
      'ok',
    ]);
  });

  it('rides out a store outage under load: no dead letters, order per key kept, all applied after', async () => {
    const b = await bus();
    const store = await memoryStore();
    const topic = await topicOn(b, 'outage');
    const deadLetterTopic = await topicOn(b, 'outage-dlq');
    const def = Incremented(topic);
    const { observer, outcomes } = recordingObserver();
    const stalls: number[] = [];
    const group = unique('g');
    const seen = store.collection<{ _id: string; seq: number[] }>('seen');
    // The old budget (maxAttempts with a short backoff) is exceeded many times over by the outage.
    const consumer = createConsumer({
      bus: b,
      store,
      registry: new EventRegistry(),
      group,
      observer: { ...observer, retrying: (_g, _t, _p, ms) => void stalls.push(ms) },
      maxAttempts: 3,
      backoff: { initialMs: 5, maxMs: 40 },
      deadLetterTopic,
    }).on(def, async (event, { session }) => {
      await seen.updateOne(
        { _id: event.subject },
        { $push: { seq: event.data.by } },
        { session, upsert: true },
      );
    });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    const deadLetters: DeliveredMessage[] = [];
    const dl = await b.subscribe({
      group: unique('dl'),
      topics: [deadLetterTopic],
      handler: async (m) => void deadLetters.push(m),
    });
    cleanups.push(() => dl.close());
    await settle();

    const KEYS = 6;
    const PER_KEY = 8;
    const publishRound = (round: number) =>
      b.publish(
        topic,
        Array.from({ length: KEYS }, (_, k) =>
          toBusMessage(createEvent(def, { subject: `agg-${k}`, source: '/contract', data: { by: round } })),
        ),
      );
    await publishRound(1);
    await publishRound(2);
    store.faults.down(1_500);
    // Load keeps coming while the store is down.
    for (let round = 3; round <= PER_KEY; round++) {
      await publishRound(round);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor(
      'every event applied after the outage',
      async () => {
        if (store.faults.isDown) return false;
        const docs = await seen.find({});
        return docs.length === KEYS && docs.every((d) => d.seq.length >= PER_KEY);
      },
      timeoutMs,
    );
    const docs = await seen.find({}, { sort: { _id: 1 } });
    const inOrder = Array.from({ length: PER_KEY }, (_, i) => i + 1);
    expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: KEYS }, () => inOrder));
    await new Promise((resolve) => setTimeout(resolve, 200)); // a dead letter would have arrived by now
    expect(deadLetters).toEqual([]);
    expect(outcomes.filter(([, o]) => o === 'dead-lettered')).toEqual([]);
    expect(outcomes.filter(([, o]) => o === 'retry').length).toBeGreaterThan(3 * 2);
    expect(Math.max(...stalls)).toBeGreaterThan(500);
  });

  it('reports lag per group and partition', async () => {
    const b = await bus();
    const topic = await topicOn(b, 'lag');
    const group = unique('g');
    const got: string[] = [];
    const sub = await b.subscribe({ group, topics: [topic], handler: async (m) => void got.push(m.value) });
    await settle();
    await b.publish(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
    );
    await waitFor('5 consumed', () => got.length >= 5, timeoutMs);
    await sub.close();
    await b.publish(
      topic,
      Array.from({ length: 3 }, (_, i) => ({ key: `k${i}`, value: `b${i}` })),
    );
    await waitFor(
      'lag of 3',
      async () => {
        const lag = (await b.lag()).filter((l) => l.group === group && l.topic === topic);
        return lag.reduce((sum, l) => sum + l.lag, 0) === 3;
      },
      timeoutMs,
    );
    const lag = (await b.lag()).filter((l) => l.group === group && l.topic === topic);
    for (const key of ['k0', 'k1', 'k2']) {
      expect(lag.find((l) => l.partition === partitionForKey(key, PARTITIONS))?.lag).toBeGreaterThan(0);
    }
    await b.ping();
  });
}
