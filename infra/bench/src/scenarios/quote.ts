import { demoLocations } from '@omni/runtime';
import { decodeHistogram, summarise } from '../histogram';
import { runInChild } from '../loadgen/run-child';
import type { QuoteRateResult } from '../loadgen/protocol';
import { raiseSlotCapacity, receive } from '../seeding';
import { prng } from '../workload/prng';
import type { Scenario } from '../types';
import { discoverSkus } from './order-placement';

export interface QuoteOptions {
  ratePerSecond: number;
  seconds: number;
  warmupRate: number;
  warmupSeconds: number;
  /** Distinct request bodies (baskets × points), sent in turn. */
  bodies: number;
  /** Share of points outside every delivery zone (no delivery option). */
  outsideShare: number;
  skus: number;
  connections: number;
}

/**
 * Checkout quotes at a fixed arrival rate (open model): POST /v1/quotes for a basket and a point of
 * the demo city — catalog prices (gRPC), the serving zone store and its free slots, pickup stores with
 * stock and the ship source (inventory gRPC). Latency from the scheduled send.
 */
export const quoteScenario: Scenario<QuoteOptions> = {
  name: 'quote',
  title: 'Checkout quote (open model)',
  defaults: (quick) =>
    quick
      ? {
          ratePerSecond: 50,
          seconds: 2,
          warmupRate: 20,
          warmupSeconds: 1,
          bodies: 200,
          outsideShare: 0.1,
          skus: 10,
          connections: 64,
        }
      : {
          ratePerSecond: 500,
          seconds: 10,
          warmupRate: 100,
          warmupSeconds: 3,
          bodies: 2_000,
          outsideShare: 0.1,
          skus: 20,
          connections: 256,
        },

  async run(ctx, o) {
    const { target, runId } = ctx;
    const skus = await discoverSkus(ctx, o.skus);
    for (const loc of demoLocations())
      await receive(target, loc.id, `bench-quote-${runId}-${loc.id}`, skus.map((sku) => ({ sku, qty: 1_000 })));
    const stores = target.demo.stores;
    // Free slots to quote from, whatever earlier scenarios booked.
    await raiseSlotCapacity(target, stores[0]!.geo, skus[0]!);
    const rnd = prng(17);
    const bodies = Array.from({ length: o.bodies }, (_, i) => {
      const store = stores[i % stores.length]!;
      const outside = rnd() < o.outsideShare;
      const jitter = () => (rnd() - 0.5) * 0.02;
      const geo = outside
        ? { lat: store.geo.lat + 0.25 + jitter(), lng: store.geo.lng + 0.25 + jitter() } // ~30 km out
        : { lat: store.geo.lat + jitter(), lng: store.geo.lng + jitter() };
      const first = Math.floor(rnd() * skus.length);
      const lines = Array.from({ length: rnd() < 0.7 ? 1 : 2 }, (_, k) => ({
        sku: skus[(first + k) % skus.length]!,
        qty: 1,
      }));
      return JSON.stringify({ lines, geo });
    });
    const job = (rate: number, seconds: number) => ({
      kind: 'quotes' as const,
      url: target.urls.orders,
      token: target.opsToken,
      ratePerSecond: rate,
      durationSeconds: seconds,
      connections: o.connections,
      bodies,
    });

    if (o.warmupSeconds > 0) await runInChild(job(o.warmupRate, o.warmupSeconds), () => undefined);
    const total = Math.round(o.ratePerSecond * o.seconds);
    const bar = ctx.progress.start(`quote: ${o.ratePerSecond}/s`, total, 'quotes');
    let load: QuoteRateResult;
    try {
      load = await runInChild(job(o.ratePerSecond, o.seconds), (done) => bar.update(done));
    } finally {
      bar.stop();
    }
    const latency = summarise(decodeHistogram(load.latency));
    const ok = load.statusCounts['200'] ?? 0;
    const errors = total - ok;
    const achieved = (ok / load.durationMs) * 1000;
    return {
      config: { ...o, loadGenerator: 'undici pool in a child process, open model' },
      metrics: [
        {
          key: 'latencyP99',
          label: `quote latency p99 at ${o.ratePerSecond}/s`,
          value: latency.p99,
          unit: 'ms',
          goal: { op: '<', value: 20, text: '< 20 ms at 500 quotes/s' },
        },
        { key: 'latencyP50', label: 'quote latency p50', value: latency.p50, unit: 'ms' },
        { key: 'achieved', label: 'quotes answered/s', value: Math.round(achieved), unit: '/s' },
        { key: 'withDelivery', label: 'quotes offering delivery', value: load.withDelivery, unit: 'quotes' },
        { key: 'notServiceable', label: 'points no zone serves', value: load.notServiceable, unit: 'quotes' },
        { key: 'errors', label: 'errors (not 200)', value: errors, unit: 'req' },
      ],
      checks: [
        {
          name: 'every quote answered 200',
          ok: errors === 0,
          detail: `${JSON.stringify(load.statusCounts)}${load.errorSamples.length ? `; ${load.errorSamples[0]}` : ''}`,
        },
        {
          name: 'points outside every zone get no delivery option',
          ok: load.notServiceable > 0 && load.withDelivery < ok,
          detail: `${load.notServiceable} not serviceable, ${load.withDelivery} with delivery, of ${ok}`,
        },
      ],
      latencies: { quote: latency },
      notes: [
        'Open model: quotes are sent on schedule whether or not earlier ones answered; latency counts from the scheduled send.',
        `Load generator lag (its own health): max ${Math.round(load.maxSendLagMs)} ms behind schedule.`,
        'Slot capacity of the demo zones is raised first (PUT /v1/zones) so quotes see free slots after earlier scenarios.',
      ],
    };
  },
};
