import type { Logger } from 'pino';
import type { CarrierPort } from '../carrier/port';
import { isTransient, statusOf } from '../clients/upstreams';
import type { Failure, OrderDoc, WorkflowName, WorkflowParams } from '../domain/types';
import { PaymentDeclinedError, PaymentUnavailableError, type PaymentProvider } from '../payment/port';
import type { RoutingEnv } from '../routing/route-order';
import type { OrdersTimings } from '../settings';
import type { SlotBook } from '../store/slot-book';
import type { PurchaseCounters } from '../store/purchase-counters';
import type { Outcome } from '../domain/outcome';

/**
 * Orchestrated workflows in the Medusa style: a workflow is a list of steps, each with the action and,
 * next to it, its compensation. The runner (runner.ts) persists the position after every step, so a
 * workflow resumes where it stopped after a crash; every action and compensation must therefore be
 * idempotent (reservation ids, payment keys and points operation ids are derived from the order).
 */

/** What steps may use: routing's upstreams and policy, plus the payment provider. */
export interface StepEnv extends RoutingEnv {
  payments: PaymentProvider;
  slots: SlotBook;
  /** Per-customer purchase-limit counters (the limits step's). */
  limits: PurchaseCounters;
  carrier: CarrierPort;
  timings: OrdersTimings;
  clock: () => Date;
  log: Logger;
}

export interface StepContext extends StepEnv {
  /** Aborted at the attempt's deadline (or on shutdown). */
  signal: AbortSignal;
  /** Milliseconds left before the attempt's deadline (use as gRPC deadline). */
  remainingMs(): number;
  /** Persists an intermediate change before an external call (fenced like every saga write). */
  save(change: (o: OrderDoc) => OrderDoc): Promise<OrderDoc>;
  /** Compensation: why the workflow is being undone. */
  failure?: Failure;
}

/** Applied to the order (as stored at that moment) when the step's result is persisted. */
export type Reducer = (o: OrderDoc) => OrderDoc;

export interface Step {
  name: string;
  /** Runs only when this holds for the order (e.g. points to redeem, card payment). */
  when?: (o: OrderDoc) => boolean;
  run?: (ctx: StepContext, o: OrderDoc) => Promise<Reducer | void>;
  /** Undoes `run`, including after an attempt whose outcome is unknown (timeout). Idempotent. */
  compensate?: (ctx: StepContext, o: OrderDoc) => Promise<Reducer | void>;
}

export interface Workflow {
  name: WorkflowName;
  steps: Step[];
  /**
   * Forward steps retry transient failures forever (with capped backoff) instead of giving up after
   * `maxStepAttempts`: for workflows that must happen (cancel, commit on collection), not be undone.
   */
  retryForever?: boolean;
  /** Whether a queued request still applies to the order as it is now: true, or why it is dropped. */
  accepts(o: OrderDoc, params: WorkflowParams): true | string;
  /** State change when the workflow starts (e.g. remember the route being left). */
  start?(o: OrderDoc, params: WorkflowParams, now: string): OrderDoc;
  /** Every step ran: the final state change and its events, in one transaction. */
  completed(o: OrderDoc, params: WorkflowParams, now: string): Outcome;
  /** A step failed and everything before it was compensated. */
  failed(o: OrderDoc, params: WorkflowParams, failure: Failure, now: string): Outcome;
}

/** A step failed for a reason the step names (permanent unless said otherwise). */
export class StepFailure extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly transient = false,
  ) {
    super(reason);
    this.name = 'StepFailure';
  }
}

export class StepTimeoutError extends Error {
  constructor(step: string, ms: number) {
    super(`${step} did not answer within ${ms} ms`);
    this.name = 'StepTimeoutError';
  }
}

/** Maps any error of a step to a failure record and whether retrying may help. */
export function classify(err: unknown, step: string): Failure & { transient: boolean } {
  if (err instanceof StepFailure)
    return { step, code: err.code, reason: err.reason, transient: err.transient };
  if (err instanceof StepTimeoutError) return { step, code: 'timeout', reason: err.message, transient: true };
  if (err instanceof PaymentDeclinedError)
    return { step, code: err.code, reason: err.message, transient: false };
  if (err instanceof PaymentUnavailableError)
    return { step, code: 'payment-unavailable', reason: err.message, transient: true };
  const status = statusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const code =
    status === undefined
      ? 'error'
      : status === 504
        ? 'upstream-timeout'
        : status >= 500 || status === 429
          ? 'upstream-unavailable'
          : `upstream-${status}`;
  return { step, code, reason: message, transient: isTransient(err) };
}
