import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBus, createKafkaBus, type BusMessage, type EventBus } from '@omni/events';
import { epochMs, sleep } from '../clock';
import { newHistogram, recordMs, summarise, type LatencySummary } from '../histogram';
import type { Check, Metric, Scenario, ScenarioContext } from '../types';

export interface EventBusOptions {
  /** Events of the throughput phase (published as fast as the bus takes them). */
  events: number;
  /** Messages per publish call in the throughput phase. */
  batch: number;
  /** Publish calls in flight at once. */
  inFlight: number;
  partitions: number;
  /** Fixed publish rate of the lag phase (events/s) and its length. */
  lagRate: number;
  lagSeconds: number;
  /** Also measure the durable journal (a data dir, as `npm start` runs). */
  journal: boolean;
  /** KAFKA_BROKERS: also measure Kafka. */
  kafkaBrokers: string | null;
}

interface VariantResult {
  variant: string;
  events: number;
  publishPerSecond: number;
  /** Published and consumed, first publish → last consume. */
  endToEndPerSecond: number;
  lagUnderSaturation: LatencySummary;
  lagAtRate: LatencySummary;
  lagRate: number;
  /** Each event handled once (lost / duplicated counts). */
  lost: number;
  duplicated: number;
}

/** A CloudEvent-shaped payload (~420 bytes) like the services publish. */
function eventValue(i: number, sentAt: number): string {
  return JSON.stringify({
    specversion: '1.0',
    id: `01BENCH${String(i).padStart(19, '0')}`,
    source: '/omni/bench',
    type: 'omni.bench.event.created.v1',
    subject: `ord-${i % 10_000}`,
    time: new Date(sentAt).toISOString(),
    datacontenttype: 'application/json',
    data: {
      orderId: `ord-${i % 10_000}`,
      storeId: `S${String(i % 12).padStart(2, '0')}`,
      lines: [{ sku: 'p0001-M', qty: 1 }],
      sentAt,
      seq: i,
    },
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  });
}

/** One consumer group over the topic; counts deliveries per event and records lag. */
async function consume(
  bus: EventBus,
  topic: string,
  group: string,
  onEvent: (seq: number, sentAt: number) => void,
) {
  return bus.subscribe({
    group,
    topics: [topic],
    fromBeginning: true,
    handler: async (msg) => {
      const e = JSON.parse(msg.value) as { data: { seq: number; sentAt: number } };
      onEvent(e.data.seq, e.data.sentAt);
    },
  });
}

async function measureVariant(
  ctx: ScenarioContext,
  o: EventBusOptions,
  variant: string,
  bus: EventBus,
): Promise<VariantResult> {
  const topic = `bench.events.${ctx.runId}.${variant.replace(/[^a-z0-9]/gi, '')}`;
  await bus.ensureTopics([{ name: topic, partitions: o.partitions }]);
  const seen = new Uint8Array(o.events + Math.ceil(o.lagRate * o.lagSeconds) + 1);
  let consumed = 0;
  let lastConsumedAt = 0;
  let current = newHistogram();
  let probeSeen = false;
  const sub = await consume(bus, topic, `bench-${ctx.runId}-${variant}`, (seq, sentAt) => {
    const now = epochMs();
    if (seq < 0) {
      probeSeen = true;
      return;
    }
    seen[seq] = Math.min(255, seen[seq]! + 1);
    consumed++;
    lastConsumedAt = now;
    recordMs(current, now - sentAt);
  });
  try {
    // The consumer must be running (Kafka: joined its group) before anything is timed.
    for (let tries = 0; !probeSeen && tries < 300; tries++) {
      await bus.publish(topic, [{ key: 'probe', value: eventValue(-1, epochMs()) }]);
      await sleep(tries < 10 ? 10 : 200);
    }
    if (!probeSeen) throw new Error(`${variant}: the consumer never received the probe event`);
    current = newHistogram();

    // Phase 1: throughput — publish everything as fast as the bus accepts it.
    const bar = ctx.progress.start(`event-bus (${variant}): throughput`, o.events, 'events');
    const startedAt = epochMs();
    let published = 0;
    const lanes = Array.from({ length: o.inFlight }, async () => {
      while (published < o.events) {
        const from = published;
        const n = Math.min(o.batch, o.events - from);
        published += n;
        const sentAt = epochMs();
        const messages: BusMessage[] = [];
        for (let i = from; i < from + n; i++)
          messages.push({ key: `ord-${i % 10_000}`, value: eventValue(i, sentAt) });
        await bus.publish(topic, messages);
        bar.update(consumed);
      }
    });
    await Promise.all(lanes);
    const publishedAt = epochMs();
    while (consumed < o.events && epochMs() - publishedAt < 60_000) {
      bar.update(consumed);
      await sleep(5);
    }
    bar.update(consumed);
    bar.stop();
    const publishPerSecond = o.events / ((publishedAt - startedAt) / 1000);
    const endToEndPerSecond = consumed / ((lastConsumedAt - startedAt) / 1000);
    const lagUnderSaturation = summarise(current);

    // Phase 2: lag at a fixed rate — every millisecond, publish what is due.
    current = newHistogram();
    const lagTotal = Math.round(o.lagRate * o.lagSeconds);
    const lagBar = ctx.progress.start(`event-bus (${variant}): lag @ ${o.lagRate}/s`, lagTotal, 'events');
    const t0 = epochMs();
    let sent = 0;
    const pending: Array<Promise<void>> = [];
    while (sent < lagTotal) {
      const due = Math.min(lagTotal, Math.floor(((epochMs() - t0) / 1000) * o.lagRate));
      if (due > sent) {
        const sentAt = epochMs();
        const messages: BusMessage[] = [];
        for (let i = sent; i < due; i++) {
          const seq = o.events + i;
          messages.push({ key: `ord-${seq % 10_000}`, value: eventValue(seq, sentAt) });
        }
        sent = due;
        pending.push(bus.publish(topic, messages));
        lagBar.update(sent);
      }
      await sleep(1);
    }
    await Promise.all(pending);
    const target = o.events + lagTotal;
    const doneAt = epochMs();
    while (consumed < target && epochMs() - doneAt < 30_000) await sleep(5);
    lagBar.stop();
    const lagAtRate = summarise(current);

    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < target; i++) {
      if (seen[i] === 0) lost++;
      else if (seen[i]! > 1) duplicated++;
    }
    return {
      variant,
      events: o.events,
      publishPerSecond: Math.round(publishPerSecond),
      endToEndPerSecond: Math.round(endToEndPerSecond),
      lagUnderSaturation,
      lagAtRate,
      lagRate: o.lagRate,
      lost,
      duplicated,
    };
  } finally {
    await sub.close();
  }
}

/**
 * Publish + consume on the event bus the services use: the embedded partitioned log in memory (the
 * default), with its durable journal (npm start), and Kafka when KAFKA_BROKERS is set. Every event
 * is a CloudEvent-sized JSON string the consumer parses.
 */
export const eventBus: Scenario<EventBusOptions> = {
  name: 'event-bus',
  title: 'Event bus publish + consume',
  defaults: (quick) => ({
    events: quick ? 20_000 : 200_000,
    batch: 100,
    inFlight: 8,
    partitions: 8,
    lagRate: quick ? 5_000 : 20_000,
    lagSeconds: quick ? 1 : 5,
    journal: true,
    kafkaBrokers: process.env.KAFKA_BROKERS || null,
  }),

  async run(ctx, o) {
    const variants: VariantResult[] = [];
    const notes: string[] = [];
    const memory = createEmbeddedBus({ partitions: o.partitions });
    try {
      variants.push(await measureVariant(ctx, o, 'embedded-memory', memory));
    } finally {
      await memory.close();
    }
    if (o.journal) {
      const dir = mkdtempSync(join(tmpdir(), 'omni-bench-bus-'));
      const durable = createEmbeddedBus({ dir, partitions: o.partitions });
      try {
        variants.push(await measureVariant(ctx, o, 'embedded-journal', durable));
      } finally {
        await durable.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (o.kafkaBrokers) {
      const kafka = createKafkaBus({
        brokers: o.kafkaBrokers.split(','),
        clientId: `omni-bench-${ctx.runId}`,
      });
      try {
        variants.push(await measureVariant(ctx, o, 'kafka', kafka));
      } finally {
        await kafka.close();
      }
    } else {
      notes.push('Kafka not measured: KAFKA_BROKERS is not set.');
    }

    const main = variants[0]!;
    const metrics: Metric[] = [
      {
        key: 'throughput',
        label: 'publish+consume (memory log)',
        value: main.endToEndPerSecond,
        unit: 'events/s',
        goal: { op: '>=', value: 100_000, text: '≥ 100,000/s' },
      },
      {
        key: 'lagP50',
        label: `lag p50 @ ${o.lagRate}/s (memory log)`,
        value: main.lagAtRate.p50,
        unit: 'ms',
      },
      {
        key: 'lagP99',
        label: `lag p99 @ ${o.lagRate}/s (memory log)`,
        value: main.lagAtRate.p99,
        unit: 'ms',
        goal: { op: '<', value: 10, text: '< 10 ms' },
      },
    ];
    for (const v of variants.slice(1)) {
      metrics.push(
        {
          key: `throughput:${v.variant}`,
          label: `publish+consume (${v.variant})`,
          value: v.endToEndPerSecond,
          unit: 'events/s',
          goal: { op: '>=', value: 100_000, text: '≥ 100,000/s' },
        },
        {
          key: `lagP99:${v.variant}`,
          label: `lag p99 @ ${o.lagRate}/s (${v.variant})`,
          value: v.lagAtRate.p99,
          unit: 'ms',
          goal: { op: '<', value: 10, text: '< 10 ms' },
        },
      );
    }
    const checks: Check[] = variants.map((v) => ({
      name: `${v.variant}: every event consumed exactly once`,
      ok: v.lost === 0 && v.duplicated === 0,
      detail: `${v.lost} lost, ${v.duplicated} duplicated`,
    }));
    const latencies: Record<string, LatencySummary> = {};
    for (const v of variants) {
      latencies[`lag@${v.lagRate}:${v.variant}`] = v.lagAtRate;
      latencies[`lag-saturated:${v.variant}`] = v.lagUnderSaturation;
    }
    return {
      config: { ...o, kafkaBrokers: o.kafkaBrokers ? '(set)' : null },
      metrics,
      checks,
      latencies,
      notes: [
        `Throughput: ${o.events.toLocaleString('en-US')} events of ~420 bytes, ${o.batch} per publish, ${o.inFlight} publishes in flight, ${o.partitions} partitions, one consumer group that JSON-parses every event; rate = events / (first publish → last consume).`,
        `Lag: ${o.lagSeconds}s at a fixed ${o.lagRate.toLocaleString('en-US')} events/s (due events published every ms), lag = consume − send time. Lag while saturated is in the latencies table.`,
        'Runs in the bench process on a bus of its own (the services are idle meanwhile).',
        ...notes,
      ],
      details: { variants },
    };
  },
};
