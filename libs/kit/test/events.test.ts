import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PickupStorePaused, AuditRecorded } from '@omni/contracts';
import { createTestDeps, waitFor, type TestDeps } from '@omni/testing';
import { createEmbeddedStore, type EmbeddedStore } from '@omni/store';
import { createService, type Service } from '../src';

let deps: TestDeps;
let producer: Service;
let consumer: Service;
const handled: string[] = [];

beforeAll(async () => {
  deps = await createTestDeps();
  producer = createService({
    name: 'producer',
    store: deps.store,
    bus: deps.bus,
    ownsBus: false,
    auth: deps.auth,
    logLevel: 'silent',
    grpc: false,
  });
  consumer = createService({
    name: 'consumer',
    store: createEmbeddedStore(),
    bus: deps.bus,
    ownsBus: false,
    auth: deps.auth,
    logLevel: 'silent',
    grpc: false,
  });
  const paused = consumer.store.collection<{ _id: string; count: number }>('paused');
  consumer.events.on(PickupStorePaused, async (event, { session }) => {
    handled.push(event.id);
    await paused.updateOne({ _id: event.data.storeId }, { $inc: { count: 1 } }, { session, upsert: true });
  });
  await producer.start();
  await consumer.start();
});
afterAll(async () => {
  await consumer?.stop();
  await producer?.stop();
  await deps?.bus.close();
});

describe('service events', () => {
  it('publishes through the outbox only when the transaction commits, and handles each event once', async () => {
    await producer.store
      .withTransaction(async (session) => {
        await producer.events.publish(session, PickupStorePaused, {
          subject: 'S1',
          data: { storeId: 'S1', reason: 'rolled back', automatic: false },
        });
        throw new Error('abort');
      })
      .catch(() => undefined);
    const event = await producer.store.withTransaction((session) =>
      producer.events.publish(session, PickupStorePaused, {
        subject: 'S2',
        data: { storeId: 'S2', reason: 'queue overdue', automatic: true },
      }),
    );
    const paused = consumer.store.collection<{ _id: string; count: number }>('paused');
    await waitFor(() => paused.findById('S2'), { what: 'S2 paused in consumer' });
    // Redeliver the same event: the inbox makes it a no-op.
    await deps.bus.publish(PickupStorePaused.topic, [{ key: 'S2', value: JSON.stringify(event) }]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await paused.findById('S2'))?.count).toBe(1);
    expect(await paused.findById('S1')).toBeNull();
    expect(handled.filter((id) => id === event.id)).toHaveLength(1);
  });

  it('refuses to publish data that breaks the contract', async () => {
    await expect(
      producer.store.withTransaction((session) =>
        producer.events.publish(session, PickupStorePaused, {
          subject: 'S3',
          data: { storeId: 'S3' } as never,
        }),
      ),
    ).rejects.toThrow(/reason/);
  });

  it('exports audit entries as events in the same transaction', async () => {
    const seen: string[] = [];
    const sub = await deps.bus.subscribe({
      group: 'test-audit',
      topics: [AuditRecorded.topic],
      handler: async (m) => {
        seen.push((JSON.parse(m.value) as { data: { action: string } }).data.action);
      },
    });
    await producer.audit.record({
      actor: { sub: 'ops-1', role: 'ops' },
      action: 'store.pause',
      target: { type: 'store', id: 'S2' },
    });
    await waitFor(() => seen.includes('store.pause'), { what: 'audit event' });
    await sub.close();
  });

  it('publishes its event catalogue as AsyncAPI, generated from the same schemas', async () => {
    const res = await fetch(`${consumer.url}/docs/asyncapi.json`);
    const doc = (await res.json()) as {
      asyncapi: string;
      channels: Record<string, unknown>;
      components: { messages: Record<string, unknown> };
    };
    expect(doc.asyncapi).toMatch(/^3\./);
    expect(Object.keys(doc.channels).join(' ')).toContain('omni.pickup.store');
    expect(JSON.stringify(doc.components.messages)).toContain('omni.pickup.store.paused.v1');
  });

  it('exports consumer lag per group and partition, and the stall of a partition retrying a store outage', async () => {
    const metric = async (name: string): Promise<number> => {
      const text = await (await fetch(`${consumer.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) && l.includes('group="consumer"'))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    };
    const store = consumer.store as EmbeddedStore;
    store.faults.down(60_000);
    try {
      await producer.store.withTransaction(async (session) => {
        for (const reason of ['a', 'b', 'c'])
          await producer.events.publish(session, PickupStorePaused, {
            subject: 'L1',
            data: { storeId: 'L1', reason, automatic: false },
          });
      });
      await waitFor(async () => ((await metric('event_consumer_lag')) === 3 ? true : undefined), {
        what: 'lag of 3 at /metrics',
      });
      await waitFor(async () => ((await metric('event_consumer_retrying')) === 1 ? true : undefined), {
        what: 'a retrying partition at /metrics',
      });
      expect(await metric('event_consumer_stalled_seconds')).toBeGreaterThan(0);
    } finally {
      store.faults.up();
    }
    await waitFor(async () => ((await metric('event_consumer_lag')) === 0 ? true : undefined), {
      what: 'lag back to 0',
    });
    expect(await metric('event_consumer_retrying')).toBe(0);
    expect(await metric('event_consumer_stalled_seconds')).toBe(0);
    const paused = consumer.store.collection<{ _id: string; count: number }>('paused');
    expect((await paused.findById('L1'))?.count).toBe(3);
  });
});
