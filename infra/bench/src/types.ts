import type { EventBus } from '@omni/events';
import type { DemoLocation, ServiceName, System } from '@omni/runtime';
import type { LatencySummary } from './histogram';
import type { Progress } from './progress';

/** A goal printed next to a result. Goals are reported (met / not met), never asserted. */
export interface Goal {
  op: '>=' | '<=' | '<' | '==';
  value: number;
  /** How the goal reads in the table, e.g. "≥ 5,000/s on 2 cores". */
  text: string;
}

export interface Metric {
  /** Stable key for report.json, e.g. "attemptsPerSecond". */
  key: string;
  label: string;
  /** null when it could not be measured (said why in the scenario notes). */
  value: number | null;
  unit: string;
  goal?: Goal;
}

/** A correctness invariant (exactly-once, no oversell). The smoke test asserts these. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  title: string;
  /** The sizes actually used. */
  config: Record<string, unknown>;
  metrics: Metric[];
  checks: Check[];
  /** Every latency distribution measured, by name (milliseconds). */
  latencies: Record<string, LatencySummary>;
  /** How it was measured, and anything a reader must know to trust the numbers. */
  notes: string[];
  /** Scenario-specific raw numbers (steps, per-variant results...). */
  details?: unknown;
  durationMs: number;
  /** Set when the scenario threw; metrics and checks are then whatever was collected. */
  error?: string;
}

export const SCENARIO_NAMES = ['hot-sku', 'order-placement', 'quote', 'event-bus', 'dispatch', 'pos-sync'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** What the scenarios run against: the in-process system or a remote deployment. */
export interface Target {
  mode: 'in-process' | 'remote';
  urls: Record<ServiceName, string>;
  /** An ops token (every permission). */
  opsToken: string;
  /** The bus the services publish on, for consumer-side measurements (null: not reachable). */
  bus: EventBus | null;
  /** The in-process system (null for a remote target). */
  system: System | null;
  /** Demo data the scenarios may use (same demo city on both kinds of target). */
  demo: { customerIds: string[]; stores: DemoLocation[] };
  close(): Promise<void>;
}

export interface ScenarioContext {
  target: Target;
  quick: boolean;
  /** Unique per run: ids (SKUs, locations, reservations) carry it so runs never collide. */
  runId: string;
  progress: Progress;
  log(message: string): void;
}

export interface Scenario<Options> {
  name: ScenarioName;
  title: string;
  /** Full-size defaults; `quick` shrinks them ~10×. */
  defaults(quick: boolean): Options;
  run(ctx: ScenarioContext, options: Options): Promise<Omit<ScenarioResult, 'name' | 'title' | 'durationMs'>>;
}

export function goalMet(metric: Metric): boolean | null {
  if (!metric.goal || metric.value === null) return null;
  const { op, value } = metric.goal;
  if (op === '>=') return metric.value >= value;
  if (op === '<=') return metric.value <= value;
  if (op === '==') return metric.value === value;
  return metric.value < value;
}
