import type { OrderMix } from '../workload/order-bodies';

/** What the bench asks its load-generator process to do. */
export type LoadJob = HotSkuJob | OrderRateJob | PosSyncJob | QuoteRateJob;

export interface HotSkuJob {
  kind: 'hot-sku';
  /** Inventory base URL. */
  url: string;
  token: string;
  /** Unique per run; reservation ids are `<idPrefix>-<n>`. */
  idPrefix: string;
  concurrency: number;
  /** Run first, not measured: JIT and connection warm-up on its own SKU. */
  warmup: { sku: string; attempts: number } | null;
  sku: string;
  locations: string[];
  attempts: number;
}

export interface HotSkuLoadResult {
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts (no HTTP status). */
  errors: number;
  timeouts: number;
  /** Wall time of the measured run. */
  durationMs: number;
  responses: number;
  /** HDR histogram (µs), encoded. */
  latency: string;
}

export interface OrderRateJob {
  kind: 'orders';
  /** Orders base URL. */
  url: string;
  token: string;
  /** Idempotency keys are `<keyPrefix>-<n>`. */
  keyPrefix: string;
  /** Index of the first order (bodies are a function of the index). */
  firstIndex: number;
  ratePerSecond: number;
  durationSeconds: number;
  connections: number;
  mix: OrderMix;
}

export interface OrderRateResult {
  /** Per request, by index within the job: scheduled start and completion (epoch ms), status, order id. */
  scheduledAt: number[];
  completedAt: number[];
  status: number[];
  orderIds: string[];
  /** First few error bodies, for the report. */
  errorSamples: string[];
  /** How far the generator fell behind its schedule (ms): its own health. */
  maxSendLagMs: number;
  /** HTTP latency measured from the scheduled start (open model: includes client-side queueing). */
  latency: string;
}

export interface QuoteRateJob {
  kind: 'quotes';
  /** Orders base URL. */
  url: string;
  token: string;
  ratePerSecond: number;
  durationSeconds: number;
  connections: number;
  /** Request bodies (JSON), sent in turn. */
  bodies: string[];
}

export interface QuoteRateResult {
  statusCounts: Record<string, number>;
  /** Answers that offered local delivery / said no zone serves the point. */
  withDelivery: number;
  notServiceable: number;
  errorSamples: string[];
  maxSendLagMs: number;
  durationMs: number;
  /** HTTP latency from the scheduled start (open model), HDR histogram (µs), encoded. */
  latency: string;
}

export interface PosSyncJob {
  kind: 'pos-sync';
  /** Inventory base URL. */
  url: string;
  token: string;
  runId: string;
  stores: string[];
  skus: string[];
  opsPerStore: number;
  /** Ops per request (the server's maxItems may be below a whole batch). */
  chunk: number;
}

export interface PosSyncLoadResult {
  durationMs: number;
  requests: number;
  /** Per op outcome as the server reported it. */
  outcomes: Record<string, number>;
  /** Requests answered with anything but 200. */
  failedRequests: number;
  errorSamples: string[];
  latency: string;
}

export type ChildMessage =
  | { type: 'progress'; done: number }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string };
