import { decodeHistogram, summarise } from '../histogram';
import { listAll } from '../http';
import { runInChild } from '../loadgen/run-child';
import { createLocations, receive, reconcile, registerSkus, type LevelView } from '../seeding';
import type { Scenario } from '../types';

export interface HotSkuOptions {
  units: number;
  locations: number;
  attempts: number;
  concurrency: number;
  /** Unmeasured attempts on another SKU first (JIT, connections). */
  warmupAttempts: number;
}

/**
 * Flash sale: one SKU, `units` units spread over `locations` locations, `attempts` reserve attempts
 * of one unit each over HTTP from a separate process. Exactly `units` must succeed and nothing may be
 * oversold; the levels are read back and the ledger is reconciled to prove it.
 */
export const hotSku: Scenario<HotSkuOptions> = {
  name: 'hot-sku',
  title: 'Hot SKU flash sale',
  defaults: (quick) =>
    quick
      ? { units: 100, locations: 5, attempts: 2_000, concurrency: 200, warmupAttempts: 200 }
      : { units: 1_000, locations: 5, attempts: 20_000, concurrency: 200, warmupAttempts: 2_000 },

  async run(ctx, o) {
    const { target, runId } = ctx;
    const sku = `HOT-${runId}`;
    const warmSku = `HOTWARM-${runId}`;
    const locations = Array.from({ length: o.locations }, (_, i) => `HOT-${runId}-L${i + 1}`);
    await registerSkus(target, `HOT-${runId}`, [sku, warmSku]);
    await createLocations(
      target,
      locations.map((id) => ({ id, type: 'warehouse', capabilities: ['ships'] })),
    );
    for (const [i, loc] of locations.entries()) {
      const share = Math.floor(o.units / o.locations) + (i < o.units % o.locations ? 1 : 0);
      const warmQty = Math.ceil(o.warmupAttempts / o.locations);
      await receive(target, loc, `hot-${runId}-${i}`, [
        { sku, qty: share },
        ...(warmQty > 0 ? [{ sku: warmSku, qty: warmQty }] : []),
      ]);
    }

    const bar = ctx.progress.start('hot-sku: reserve attempts', o.attempts, 'req');
    let load;
    try {
      load = await runInChild(
        {
          kind: 'hot-sku',
          url: target.urls.inventory,
          token: target.opsToken,
          idPrefix: `rsv-${runId}`,
          concurrency: o.concurrency,
          warmup: o.warmupAttempts > 0 ? { sku: warmSku, attempts: o.warmupAttempts } : null,
          sku,
          locations,
          attempts: o.attempts,
        },
        (done) => bar.update(done),
      );
    } finally {
      bar.stop();
    }

    const latency = summarise(decodeHistogram(load.latency));
    const created = load.statusCounts['201'] ?? 0;
    const retried = load.statusCounts['200'] ?? 0;
    const refused = load.statusCounts['422'] ?? 0;
    const otherStatuses = Object.entries(load.statusCounts).filter(
      ([s]) => !['201', '200', '422'].includes(s),
    );
    const otherCount = otherStatuses.reduce((a, [, n]) => a + n, 0);

    const levels = await listAll<LevelView>(`${target.urls.inventory}/v1/stock?sku=${sku}`, target.opsToken);
    const reserved = levels.reduce((a, l) => a + l.reserved, 0);
    const onHand = levels.reduce((a, l) => a + l.onHand, 0);
    // Oversold: units promised beyond what the shelves hold, per location and overall.
    const perLocationOversold = levels.reduce(
      (a, l) => a + Math.max(0, l.reserved - (l.onHand - l.safetyStock)),
      0,
    );
    const oversold = Math.max(perLocationOversold, created - o.units, reserved - onHand, 0);
    const negativeAvailable = levels.filter((l) => l.available < 0).length;
    const ledger = await reconcile(target);
    const attemptsPerSecond = (load.responses / load.durationMs) * 1000;

    return {
      config: {
        ...o,
        sku,
        locations,
        loadGenerator: 'autocannon in a child process',
        measuredAttempts: load.responses,
      },
      metrics: [
        {
          key: 'attemptsPerSecond',
          label: 'reserve attempts/s',
          value: Math.round(attemptsPerSecond),
          unit: '/s',
          goal: { op: '>=', value: 5_000, text: '≥ 5,000/s on 2 cores' },
        },
        {
          key: 'succeeded',
          label: 'succeeded',
          value: created,
          unit: 'reservations',
          goal: { op: '==', value: o.units, text: `exactly ${o.units.toLocaleString('en-US')}` },
        },
        {
          key: 'oversold',
          label: 'oversold',
          value: oversold,
          unit: 'units',
          goal: { op: '<=', value: 0, text: '0' },
        },
        { key: 'latencyP50', label: 'latency p50', value: latency.p50, unit: 'ms' },
        { key: 'latencyP99', label: 'latency p99', value: latency.p99, unit: 'ms' },
        { key: 'refused', label: 'refused (422 insufficient stock)', value: refused, unit: 'req' },
        {
          key: 'errors',
          label: 'errors (other status, socket, timeout)',
          value: otherCount + load.errors + load.timeouts,
          unit: 'req',
        },
      ],
      checks: [
        {
          name: 'exactly the stock was sold',
          ok: created === o.units,
          detail: `${created} reservations created for ${o.units} units`,
        },
        {
          name: 'nothing oversold',
          ok: oversold === 0 && negativeAvailable === 0,
          detail: `oversold ${oversold}, levels with negative available ${negativeAvailable}`,
        },
        {
          name: 'levels hold what was reserved',
          ok: reserved === created,
          detail: `sum(reserved) ${reserved} = created ${created}`,
        },
        {
          name: 'ledger reconciles',
          ok: ledger.ok,
          detail: `${ledger.levels} levels, ${ledger.movements} movements, ${ledger.differences.length} differences`,
        },
        {
          name: 'every attempt answered 201 or 422',
          ok: otherCount + load.errors + load.timeouts + retried === 0 && load.responses === o.attempts,
          detail: `${load.responses}/${o.attempts} answered; other: ${JSON.stringify(Object.fromEntries(otherStatuses))}, retries ${retried}, errors ${load.errors}, timeouts ${load.timeouts}`,
        },
      ],
      latencies: { reserve: latency },
      notes: [
        `Load: autocannon ${o.concurrency} keep-alive connections in a separate Node process (the services run in the bench process); ${o.warmupAttempts} unmeasured warm-up attempts on another SKU first.`,
        'Each attempt reserves 1 unit with a new reservation id at the next of the locations (round-robin), as the ops token (inventory:reserve).',
        'Oversold = max(Σ over locations of reserved beyond on-hand − safety, created − units, Σreserved − Σon-hand); the ledger is replayed by POST /v1/ops/reconcile.',
      ],
      details: { statusCounts: load.statusCounts, durationMs: Math.round(load.durationMs), levels },
    };
  },
};
