import { context, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumer,
  createEmbeddedBus,
  createEvent,
  createOutbox,
  defineEvent,
  EventRegistry,
  parseEvent,
  toBusMessage,
  type ConsumeOutcome,
  type DeliveredMessage,
  type EmbeddedBus,
} from '../src';
import { createEmbeddedStore, waitFor } from './helpers';

const Placed = defineEvent({
  type: 'omni.test.order.placed.v1',
  topic: 'omni.test.order',
  schema: Type.Object({ qty: Type.Integer() }),
});
const Noted = defineEvent({
  type: 'omni.test.note.written.v1',
  topic: 'omni.test.note',
  schema: Type.Object({ text: Type.String() }),
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ bus: EmbeddedBus; store: ReturnType<typeof createEmbeddedStore> }> {
  const bus = createEmbeddedBus({ partitions: 2 });
  const store = createEmbeddedStore();
  await store.init();
  cleanups.push(
    () => bus.close(),
    () => store.close(),
  );
  return { bus, store };
}

describe('consumer transaction', () => {
  it('rolls back the handler writes and the inbox row on failure, applies them on the retry', async () => {
    const { bus, store } = await setup();
    const registry = new EventRegistry().produces(Noted);
    const outbox = createOutbox(store, registry, { source: '/test' });
    const stock = store.collection<{ _id: string; qty: number }>('stock');
    let attempts = 0;
    const outcomes: ConsumeOutcome[] = [];
    const consumer = createConsumer({
      bus,
      store,
      registry,
      group: 'tx',
      backoff: { initialMs: 1 },
      observer: {
        published: () => undefined,
        relayLag: () => undefined,
        consumed: (_g, _t, o) => void outcomes.push(o),
      },
    }).on(Placed, async (event, { session }) => {
      attempts++;
      await stock.findOneAndUpdate(
        { _id: 'sku' },
        { $inc: { qty: event.data.qty } },
        { upsert: true, session },
      );
      await outbox.enqueue(session, Noted, { subject: 'n1', data: { text: 'placed' } });
      if (attempts === 1) throw new Error('first attempt fails after writing');
    });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    await bus.publish(Placed.topic, [
      toBusMessage(createEvent(Placed, { subject: 'o1', source: '/t', data: { qty: 3 } })),
    ]);
    await waitFor('ok', () => outcomes.includes('ok'));
    expect(outcomes).toEqual(['retry', 'ok']);
    expect((await stock.findById('sku'))?.qty).toBe(3); // not 6
    expect(await store.collection('outbox').countDocuments({})).toBe(1); // the failed attempt's row rolled back
    expect(await store.collection('inbox').countDocuments({ group: 'tx' })).toBe(1);
  });

  it('stop() during a backoff leaves the message uncommitted for the next start', async () => {
    const { bus, store } = await setup();
    let failing = true;
    let failures = 0;
    const handled: string[] = [];
    const make = () =>
      createConsumer({
        bus,
        store,
        registry: new EventRegistry(),
        group: 'g',
        backoff: { initialMs: 60_000 },
      }).on(Placed, async (event) => {
        if (failing) {
          failures++;
          throw new Error('down');
        }
        handled.push(event.id);
      });
    const first = make();
    await first.start();
    const event = createEvent(Placed, { subject: 'o1', source: '/t', data: { qty: 1 } });
    await bus.publish(Placed.topic, [toBusMessage(event)]);
    await waitFor('a failed attempt', () => failures === 1);
    const started = Date.now();
    await first.stop(); // must not wait for the 60 s backoff
    expect(Date.now() - started).toBeLessThan(5_000);
    failing = false;
    const second = make();
    await second.start();
    cleanups.push(() => second.stop());
    await waitFor('redelivery', () => handled.length === 1);
    expect(handled).toEqual([event.id]);
    expect(failures).toBe(1);
  });
});

describe('consumer tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
    await provider.shutdown();
  });

  it('runs the handler in a CONSUMER span that continues the producer trace', async () => {
    const { bus, store } = await setup();
    const producer = trace.getTracer('test').startSpan('checkout');
    const event = context.with(trace.setSpan(ROOT_CONTEXT, producer), () =>
      createEvent(Placed, { subject: 'o1', source: '/t', data: { qty: 1 } }),
    );
    producer.end();
    expect(event.traceparent).toBe(
      `00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`,
    );

    let activeInHandler: { traceId: string; spanId: string } | undefined;
    const consumer = createConsumer({ bus, store, registry: new EventRegistry(), group: 'traced' }).on(
      Placed,
      async () => {
        activeInHandler = trace.getActiveSpan()?.spanContext();
      },
    );
    await consumer.start();
    cleanups.push(() => consumer.stop());
    const received: DeliveredMessage[] = [];
    await bus.subscribe({
      group: 'raw',
      topics: [Placed.topic],
      handler: async (m) => void received.push(m),
    });
    await bus.publish(Placed.topic, [toBusMessage(event)]);
    await waitFor('the consumer span', () =>
      exporter.getFinishedSpans().some((s) => s.kind === SpanKind.CONSUMER),
    );

    const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(span.name).toBe('omni.test.order process');
    expect(span.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(span.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(1);
    expect(span.attributes).toMatchObject({
      'messaging.destination.name': 'omni.test.order',
      'messaging.consumer.group.name': 'traced',
      'messaging.message.id': event.id,
      'omni.consume.outcome': 'ok',
    });
    expect(activeInHandler).toEqual(expect.objectContaining({ spanId: span.spanContext().spanId }));
    // The trace headers travel next to the envelope too (for Kafka instrumentation).
    await waitFor('raw copy', () => received.length === 1);
    expect(received[0]!.headers?.traceparent).toBe(parseEvent(received[0]!.value).traceparent);
  });
});

describe('consumer health', () => {
  it('reports a subscription the adapter gave up on (a Kafka consumer crashed without restart) as not running', async () => {
    const { bus, store } = await setup();
    await bus.ensureTopics([{ name: Placed.topic, partitions: 2 }]);
    let failure: Error | null = null;
    // The embedded bus never dies on its own: wrap its subscription as the Kafka adapter's behaves.
    const dying = Object.create(bus) as EmbeddedBus;
    dying.subscribe = async (opts) => {
      const sub = await bus.subscribe(opts);
      return { close: () => sub.close(), failure: () => failure };
    };
    const consumer = createConsumer({ bus: dying, store, registry: new EventRegistry(), group: 'health' }).on(
      Placed,
      async () => undefined,
    );
    await consumer.start();
    cleanups.push(() => consumer.stop());
    expect(consumer.health().running).toBe(true);
    failure = new Error('The group coordinator is not available (no restart)');
    expect(consumer.health().running).toBe(false);
  });
});
