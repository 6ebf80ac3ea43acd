import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEmbeddedBus,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  EventRegistry,
  EventValidationError,
  parseEvent,
  PublishRejectedError,
  UnknownEventTypeError,
  type DeliveredMessage,
  type EventBus,
  type EventsObserver,
} from '../src';
import { createEmbeddedStore, waitFor } from './helpers';

const Shipped = defineEvent({
  type: 'omni.test.parcel.shipped.v1',
  topic: 'omni.test.parcel',
  schema: Type.Object({ parcelId: Type.String(), seq: Type.Integer({ minimum: 0 }) }),
});
const Other = defineEvent({
  type: 'omni.test.other.happened.v1',
  topic: 'omni.test.other',
  schema: Type.Object({}),
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const bus = createEmbeddedBus({ partitions: 4 });
  const store = createEmbeddedStore();
  await store.init();
  cleanups.push(
    () => bus.close(),
    () => store.close(),
  );
  const registry = new EventRegistry().produces(Shipped);
  const outbox = createOutbox(store, registry, { source: '/omni/test' });
  const received: DeliveredMessage[] = [];
  const sub = await bus.subscribe({
    group: 'watch',
    topics: [Shipped.topic],
    handler: async (m) => void received.push(m),
  });
  cleanups.push(() => sub.close());
  const enqueue = (parcelId: string, seq: number) =>
    store.withTransaction((session) =>
      outbox.enqueue(session, Shipped, { subject: parcelId, data: { parcelId, seq } }),
    );
  return { bus, store, outbox, received, enqueue };
}

function relay(opts: Parameters<typeof createOutboxRelay>[0]) {
  const r = createOutboxRelay(opts);
  cleanups.push(() => r.stop());
  return r;
}

describe('outbox.enqueue', () => {
  it('validates before writing and aborts the caller transaction on bad data', async () => {
    const { store, outbox } = await setup();
    await expect(
      store.withTransaction(async (session) => {
        await store.collection('parcels').insertOne({ _id: 'p1' }, { session });
        await outbox.enqueue(session, Shipped, { subject: 'p1', data: { parcelId: 'p1', seq: -1 } });
      }),
    ).rejects.toThrow(EventValidationError);
    expect(await store.collection('parcels').countDocuments({})).toBe(0);
    expect(await store.collection('outbox').countDocuments({})).toBe(0);
  });

  it('refuses events the service did not register, and use outside a transaction', async () => {
    const { store, outbox } = await setup();
    await expect(
      store.withTransaction((s) => outbox.enqueue(s, Other, { subject: 'x', data: {} })),
    ).rejects.toThrow(UnknownEventTypeError);
    await expect(
      outbox.enqueue({ id: 'none', inTransaction: false }, Shipped, {
        subject: 'p',
        data: { parcelId: 'p', seq: 0 },
      }),
    ).rejects.toThrow(/withTransaction/);
  });

  it('stores the serialised event under its id, keyed by subject', async () => {
    const { store, enqueue } = await setup();
    const event = await enqueue('p9', 0);
    const row = await store.collection('outbox').findById(event.id);
    expect(row).toMatchObject({
      _id: event.id,
      topic: Shipped.topic,
      key: 'p9',
      type: Shipped.type,
      headers: { ce_id: event.id },
    });
    expect(parseEvent(row!.event as string)).toEqual(event);
  });
});

describe('outbox relay', () => {
  it('publishes as soon as a row commits (no waiting for the poll)', async () => {
    const { store, bus, received, enqueue } = await setup();
    relay({ store, bus, pollIntervalMs: 60_000 }).start();
    const event = await enqueue('p1', 0);
    await waitFor('the event', () => received.length === 1);
    expect(parseEvent(received[0]!.value).id).toBe(event.id);
    await waitFor('the row deleted', async () => (await store.collection('outbox').countDocuments({})) === 0);
  });

  it('keeps per-key order over many batches and publishes each row once', async () => {
    const { store, bus, received, enqueue } = await setup();
    for (let seq = 0; seq < 60; seq++) for (const p of ['a', 'b', 'c', 'd', 'e']) await enqueue(p, seq);
    const observed: Array<[string, number]> = [];
    const observer: EventsObserver = {
      published: (topic, n) => void observed.push([topic, n]),
      consumed: () => undefined,
      relayLag: () => undefined,
    };
    await relay({ store, bus, batchSize: 32, observer }).flush();
    await waitFor('300 events', () => received.length === 300);
    for (const p of ['a', 'b', 'c', 'd', 'e']) {
      const seqs = received
        .filter((m) => m.key === p)
        .map((m) => (parseEvent(m.value).data as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i));
    }
    expect(observed.reduce((sum, [, n]) => sum + n, 0)).toBe(300);
  });

  it('lets only the lease holder relay; another replica takes over when it stops', async () => {
    const { store, bus, received, enqueue } = await setup();
    const a = relay({ store, bus, owner: 'replica-a', pollIntervalMs: 20 });
    const b = relay({ store, bus, owner: 'replica-b', pollIntervalMs: 20 });
    await a.flush();
    await b.flush();
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    a.start();
    b.start();
    for (let i = 0; i < 20; i++) await enqueue('p', i);
    await waitFor('20 events', () => received.length === 20);
    expect(b.isLeader()).toBe(false);

    await a.stop(); // releases the lease
    for (let i = 20; i < 30; i++) await enqueue('p', i);
    await waitFor('30 events', () => received.length === 30);
    expect(b.isLeader()).toBe(true);
    const seqs = received.map((m) => (parseEvent(m.value).data as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('waits for an expired lease of a dead replica, then relays', async () => {
    const { store, bus, received, enqueue } = await setup();
    await store
      .collection('_leases')
      .insertOne({ _id: 'outbox-relay', owner: 'dead', expiresAt: new Date(Date.now() + 300).toISOString() });
    await enqueue('p', 0);
    const r = relay({ store, bus, owner: 'alive', pollIntervalMs: 20 });
    await r.flush(); // the dead replica's lease is still valid: nothing published
    expect(r.isLeader()).toBe(false);
    expect(await store.collection('outbox').countDocuments({})).toBe(1);
    r.start();
    await waitFor('takeover', () => received.length === 1);
    expect(r.isLeader()).toBe(true);
  });

  it('keeps rows while the bus fails and publishes them, in order, when it recovers', async () => {
    const { store, bus, received, enqueue } = await setup();
    let failures = 3;
    const flaky: EventBus = Object.assign(Object.create(bus) as EventBus, {
      publish: (topic: string, messages: Parameters<EventBus['publish']>[1]) =>
        failures-- > 0 ? Promise.reject(new Error('broker down')) : bus.publish(topic, messages),
    });
    for (let i = 0; i < 5; i++) await enqueue('p', i);
    const r = relay({ store, bus: flaky, pollIntervalMs: 10 });
    await expect(r.flush()).rejects.toThrow('broker down');
    expect(await store.collection('outbox').countDocuments({})).toBe(5);
    r.start();
    await waitFor('recovery', () => received.length === 5);
    const seqs = received.map((m) => (parseEvent(m.value).data as { seq: number }).seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
  });

  it('parks a row the bus refuses for good, holds the later rows of its key, and relays everything else', async () => {
    const { store, bus, received, enqueue } = await setup();
    // The broker refuses one parcel's events (as an ACL or a size limit would), accepts the rest.
    const picky: EventBus = Object.assign(Object.create(bus) as EventBus, {
      publish: (topic: string, messages: Parameters<EventBus['publish']>[1]) =>
        messages.some((m) => m.key === 'bad' && (parseEvent(m.value).data as { seq: number }).seq === 1)
          ? Promise.reject(new PublishRejectedError('too-large', 'message too large'))
          : bus.publish(topic, messages),
    });
    await enqueue('bad', 0);
    await enqueue('good', 0);
    await enqueue('bad', 1); // refused
    await enqueue('good', 1);
    await enqueue('bad', 2); // held behind it
    const parkedReasons: string[] = [];
    const observer: EventsObserver = {
      published: () => undefined,
      consumed: () => undefined,
      relayLag: () => undefined,
      parked: (_topic, reason) => void parkedReasons.push(reason),
    };
    const r = relay({ store, bus: picky, pollIntervalMs: 10, observer });
    await r.flush();
    await waitFor('3 events', () => received.length === 3);
    const got = received.map((m) => `${m.key}:${(parseEvent(m.value).data as { seq: number }).seq}`);
    expect(got.sort()).toEqual(['bad:0', 'good:0', 'good:1']);
    expect(await store.collection('outbox').countDocuments({})).toBe(0);
    const parked = await store.collection('outbox_parked').find({}, { sort: { _id: 1 } });
    expect(parked.map((p) => [p.key, p.reason])).toEqual([
      ['bad', 'too-large'],
      ['bad', 'behind-parked'],
    ]);
    expect(parkedReasons).toEqual(['too-large', 'behind-parked']);
    // Later events of the held key keep being parked (in order) until an operator replays them.
    await enqueue('bad', 3);
    await enqueue('good', 2);
    await r.flush();
    await waitFor('good:2', () => received.length === 4);
    expect(await store.collection('outbox_parked').countDocuments({ key: 'bad' })).toBe(3);
  });

  it('renews its lease during a long round, so a second replica never publishes at the same time', async () => {
    const { store, bus, received, enqueue } = await setup();
    let inFlight = 0;
    let overlaps = 0;
    // Each publish takes longer than the whole lease.
    const slow: EventBus = Object.assign(Object.create(bus) as EventBus, {
      publish: async (topic: string, messages: Parameters<EventBus['publish']>[1]) => {
        inFlight++;
        if (inFlight > 1) overlaps++;
        await new Promise((resolve) => setTimeout(resolve, 250));
        inFlight--;
        return bus.publish(topic, messages);
      },
    });
    for (let i = 0; i < 4; i++) await enqueue('p', i);
    const a = relay({ store, bus: slow, owner: 'a', leaseTtlMs: 150, pollIntervalMs: 20, batchSize: 1 });
    const b = relay({ store, bus: slow, owner: 'b', leaseTtlMs: 150, pollIntervalMs: 20, batchSize: 1 });
    a.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    b.start();
    await waitFor('4 events', () => received.length >= 4);
    expect(overlaps).toBe(0);
    const seqs = received.map((m) => (parseEvent(m.value).data as { seq: number }).seq);
    expect(seqs).toEqual([0, 1, 2, 3]);
  });
});
