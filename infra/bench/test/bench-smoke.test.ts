import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench, startInProcessTarget, type ScenarioResult, type Target } from '../src/index';

/**
 * Every scenario in miniature against the in-process system. Asserts correctness only (exactly-once
 * counts, no oversell, every order consumed) — never a timing: speed is what `npm run bench` reports.
 */

let target: Target;

beforeAll(async () => {
  target = await startInProcessTarget();
}, 60_000);

afterAll(async () => {
  await target?.close();
});

function expectClean(result: ScenarioResult | undefined): ScenarioResult {
  expect(result, 'scenario ran').toBeDefined();
  const r = result!;
  expect(r.error, r.error).toBeUndefined();
  expect(r.checks.length).toBeGreaterThan(0);
  for (const check of r.checks) expect(check.ok, `${r.name}: ${check.name} — ${check.detail}`).toBe(true);
  return r;
}

const metric = (r: ScenarioResult, key: string) => r.metrics.find((m) => m.key === key)?.value;

describe('npm run bench (quick, tiny sizes)', () => {
  it('runs every scenario with its invariants holding', async () => {
    const report = await runBench({
      target,
      quick: true,
      scenarios: ['hot-sku', 'order-placement', 'quote', 'pos-sync', 'event-bus', 'dispatch'],
      overrides: {
        'hot-sku': { units: 25, locations: 5, attempts: 300, concurrency: 20, warmupAttempts: 0 },
        'order-placement': {
          rates: [20],
          headlineRate: 20,
          stepSeconds: 1,
          warmupSeconds: 0,
          drainSeconds: 10,
          skus: 4,
          stockPerSku: 1_000,
          connections: 32,
        },
        quote: { ratePerSecond: 20, seconds: 1, warmupSeconds: 0, bodies: 40, skus: 4, connections: 8 },
        'pos-sync': { stores: 4, opsPerStore: 60, skusPerStore: 3, replayStores: 2 },
        'event-bus': { events: 3_000, lagRate: 2_000, lagSeconds: 0.5, kafkaBrokers: null },
        dispatch: { riders: 300, orders: 40 },
      },
    });
    const by = new Map(report.scenarios.map((s) => [s.name, s]));

    const hot = expectClean(by.get('hot-sku'));
    expect(metric(hot, 'succeeded')).toBe(25);
    expect(metric(hot, 'oversold')).toBe(0);

    const orders = expectClean(by.get('order-placement'));
    const steps = (
      orders.details as { steps: Array<{ accepted: number; completed: number; errors: number }> }
    ).steps;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ accepted: 20, completed: 20, errors: 0 });

    const quotes = expectClean(by.get('quote'));
    expect(metric(quotes, 'errors')).toBe(0);

    const pos = expectClean(by.get('pos-sync'));
    expect((pos.details as { outcomes: Record<string, number> }).outcomes).toEqual({ applied: 240 });

    expectClean(by.get('event-bus'));
    expectClean(by.get('dispatch'));

    // The report carries the machine it ran on.
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
  }, 90_000);
});
