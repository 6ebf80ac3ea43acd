import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withCpuProfile } from './cpu-profiler';
import { machineInfo } from './machine';
import { formatProfileSummary, summariseProfile } from './profile-summary';
import { silentProgress, type Progress } from './progress';
import type { BenchReport } from './report';
import { dispatch, type DispatchOptions } from './scenarios/dispatch';
import { eventBus, type EventBusOptions } from './scenarios/event-bus';
import { hotSku, type HotSkuOptions } from './scenarios/hot-sku';
import { orderPlacement, type OrderPlacementOptions } from './scenarios/order-placement';
import { posSync, type PosSyncOptions } from './scenarios/pos-sync';
import { quoteScenario, type QuoteOptions } from './scenarios/quote';
import { startInProcessTarget } from './target';
import type { Scenario, ScenarioContext, ScenarioName, ScenarioResult, Target } from './types';

export {
  SCENARIO_NAMES,
  goalMet,
  type ScenarioName,
  type ScenarioResult,
  type Metric,
  type Check,
  type Target,
} from './types';
export { formatTable, toMarkdown, writeReport, type BenchReport } from './report';
export { startInProcessTarget, connectRemoteTarget, parseTargetUrls } from './target';
export { terminalProgress, silentProgress } from './progress';
export { summariseProfile, formatProfileSummary } from './profile-summary';

export interface ScenarioOptions {
  'hot-sku': HotSkuOptions;
  'order-placement': OrderPlacementOptions;
  quote: QuoteOptions;
  'event-bus': EventBusOptions;
  dispatch: DispatchOptions;
  'pos-sync': PosSyncOptions;
}

const SCENARIOS: { [K in ScenarioName]: Scenario<ScenarioOptions[K]> } = {
  'hot-sku': hotSku,
  'order-placement': orderPlacement,
  quote: quoteScenario,
  'event-bus': eventBus,
  dispatch,
  'pos-sync': posSync,
};

export interface RunBenchOptions {
  scenarios: ScenarioName[];
  quick?: boolean;
  /** Per-scenario overrides on top of the (quick) defaults. */
  overrides?: { [K in ScenarioName]?: Partial<ScenarioOptions[K]> };
  /** Default: the embedded system started in-process (memory store). */
  target?: Target;
  dataDir?: string;
  progress?: Progress;
  log?: (message: string) => void;
  /** Sample the bench process's CPU during each scenario; profiles go to `profileDir`. */
  cpuProfile?: { dir: string } | null;
  command?: string;
}

/**
 * Runs the scenarios one after the other against one target and returns the report. A scenario
 * that throws is recorded with its error and the run goes on.
 */
export async function runBench(opts: RunBenchOptions): Promise<BenchReport> {
  const machine = machineInfo();
  const log = opts.log ?? (() => undefined);
  const progress = opts.progress ?? silentProgress;
  const quick = opts.quick ?? false;
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  const needsSystem = opts.scenarios.some((s) => s !== 'event-bus' && s !== 'dispatch');
  let target = opts.target ?? null;
  const ownTarget = !target && needsSystem;
  if (ownTarget) {
    log('Starting the embedded system in-process and seeding the demo city…');
    const t0 = performance.now();
    target = await startInProcessTarget({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
    log(`  ready in ${Math.round(performance.now() - t0)} ms`);
  }
  const results: ScenarioResult[] = [];
  const profiles: string[] = [];
  try {
    for (const name of opts.scenarios) {
      const scenario = SCENARIOS[name] as Scenario<unknown>;
      const options = { ...(scenario.defaults(quick) as object), ...(opts.overrides?.[name] ?? {}) };
      log(`\n▶ ${scenario.title} (${name})`);
      const ctx: ScenarioContext = {
        target: target ?? noTarget(),
        quick,
        runId: `${runId}${results.length}`,
        progress,
        log,
      };
      const started = performance.now();
      try {
        let outcome;
        if (opts.cpuProfile) {
          const { result, profile } = await withCpuProfile(() => scenario.run(ctx, options));
          mkdirSync(opts.cpuProfile.dir, { recursive: true });
          const file = join(opts.cpuProfile.dir, `${name}.cpuprofile`);
          writeFileSync(file, JSON.stringify(profile));
          profiles.push(formatProfileSummary(summariseProfile(profile, 25), `${name} (${file})`));
          outcome = result;
        } else {
          outcome = await scenario.run(ctx, options);
        }
        results.push({
          name,
          title: scenario.title,
          durationMs: Math.round(performance.now() - started),
          ...outcome,
        });
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`  ✖ ${name} failed: ${error.split('\n')[0]}`);
        results.push({
          name,
          title: scenario.title,
          durationMs: Math.round(performance.now() - started),
          config: options as Record<string, unknown>,
          metrics: [],
          checks: [],
          latencies: {},
          notes: [],
          error,
        });
      }
    }
  } finally {
    if (ownTarget) await target?.close();
  }
  return {
    machine,
    target: { mode: target?.mode ?? 'in-process', dataDir: opts.dataDir ?? null },
    quick,
    command: opts.command ?? `runBench(${opts.scenarios.join(',')})`,
    scenarios: results,
    ...(profiles.length ? { profile: profiles.join('\n') } : {}),
  };
}

/** Library-only scenarios (event bus, dispatch) need no running system. */
function noTarget(): Target {
  const fail = () => {
    throw new Error('this scenario needs a running system');
  };
  return {
    mode: 'in-process',
    get urls(): never {
      return fail();
    },
    opsToken: '',
    bus: null,
    system: null,
    demo: { customerIds: [], stores: [] },
    close: async () => undefined,
  };
}
