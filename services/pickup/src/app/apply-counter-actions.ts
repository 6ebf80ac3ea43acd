import { AppError, BadRequestError, ConflictError, UnprocessableError } from '@omni/kit';
import { isDuplicateKeyError, type Session } from '@omni/store';
import { requireStore, type SyncOp, type SyncOpResult } from '../store/collections';
import { collectOffline, type CollectOutcome, type PickupProof } from './collect';
import { confirmLine } from './confirm-line';
import type { PickupContext } from './context';
import { illegalTransition, TaskLockedError, wrongCode } from './errors';
import { markReady } from './mark-ready';
import { reportShort } from './report-short';
import { startPicking } from './start-picking';

export const COUNTER_ACTION_TYPES = ['start', 'confirm-line', 'ready', 'short', 'collected'] as const;
export type CounterActionType = (typeof COUNTER_ACTION_TYPES)[number];

/** One action recorded by a counter app (possibly while offline). */
export interface CounterAction {
  clientOpId: string;
  taskId: string;
  type: CounterActionType;
  /** When the counter did it (its clock). */
  at: string;
  sku?: string;
  barcode?: string;
  qty?: number;
  lines?: Array<{ sku: string; qty: number }>;
  code?: string;
  qr?: string;
}

export interface CounterActionResult extends SyncOpResult {
  /** This client op id was applied before: the stored outcome, nothing done again. */
  replayed: boolean;
}

/**
 * Applies a counter's batch in order, each action once per client op id (a replayed batch, or the
 * same op sent twice at once, changes nothing and gets the first outcome back). Each action is its own
 * transaction with its op record; a rejected action is recorded too, so its replay answers the same.
 */
export async function applyCounterActions(
  ctx: PickupContext,
  storeId: string,
  actions: readonly CounterAction[],
): Promise<CounterActionResult[]> {
  await requireStore(ctx.collections, storeId);
  const results: CounterActionResult[] = [];
  const throttle = new CodeThrottle();
  for (const action of actions) {
    const throttled =
      action.type === 'collected' &&
      !(await ctx.collections.syncOps.findById(opId(storeId, action.clientOpId))) &&
      throttle.refuses(action.taskId);
    const result = throttled ? throttledResult(action) : await applyOne(ctx, storeId, action);
    if (action.type === 'collected' && !result.replayed && !throttled) throttle.saw(action.taskId, result);
    ctx.metrics.syncOps.inc({ type: action.type, outcome: result.replayed ? 'replayed' : result.outcome });
    results.push(result);
  }
  return results;
}

/** Code-bearing actions checked per task in one batch; a counter verified its hand-overs, it sends one. */
export const CODE_ACTIONS_PER_TASK_PER_BATCH = 3;
/** Failed hand-overs after which the rest of a batch's code-bearing actions are not checked. */
export const FAILED_CODE_ACTIONS_PER_BATCH = 10;

/**
 * A batch is not a guessing machine: per task at most a few code-bearing actions are checked, and
 * after a handful of failures none more. Wrong codes still count toward the task's lockout (shared
 * with the online path); the refused ones are not recorded, so an honest counter resends them later.
 */
class CodeThrottle {
  private readonly perTask = new Map<string, number>();
  private failed = 0;

  refuses(taskId: string): boolean {
    return (
      this.failed >= FAILED_CODE_ACTIONS_PER_BATCH ||
      (this.perTask.get(taskId) ?? 0) >= CODE_ACTIONS_PER_TASK_PER_BATCH
    );
  }

  saw(taskId: string, result: SyncOpResult): void {
    this.perTask.set(taskId, (this.perTask.get(taskId) ?? 0) + 1);
    if (result.outcome !== 'applied') this.failed++;
  }
}

function throttledResult(action: CounterAction): CounterActionResult {
  const err = new AppError(429, 'too-many-code-attempts', 'Too Many Requests', {
    detail: `too many pickup code checks in this batch (at most ${CODE_ACTIONS_PER_TASK_PER_BATCH} per task, ${FAILED_CODE_ACTIONS_PER_BATCH} failures per batch); not applied, send it again in a later batch`,
  });
  return { ...rejected(action, err), replayed: false };
}

function opId(storeId: string, clientOpId: string): string {
  return `${storeId}:${clientOpId}`;
}

async function applyOne(
  ctx: PickupContext,
  storeId: string,
  action: CounterAction,
): Promise<CounterActionResult> {
  const id = opId(storeId, action.clientOpId);
  try {
    return await ctx.store.withTransaction(async (session) => {
      const prior = await ctx.collections.syncOps.findById(id, { session });
      if (prior) return replay(prior, action);
      const result = await perform(ctx, session, storeId, action);
      await ctx.collections.syncOps.insertOne(opRecord(id, storeId, action, result, ctx.clock()), {
        session,
      });
      return { ...result, replayed: false };
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) return replayStored(ctx, id, action);
    if (!(err instanceof AppError)) throw err;
    const result = rejected(action, err);
    try {
      await ctx.collections.syncOps.insertOne(opRecord(id, storeId, action, result, ctx.clock()));
    } catch (insertErr) {
      if (isDuplicateKeyError(insertErr)) return replayStored(ctx, id, action);
      throw insertErr;
    }
    return { ...result, replayed: false };
  }
}

async function replayStored(
  ctx: PickupContext,
  id: string,
  action: CounterAction,
): Promise<CounterActionResult> {
  const prior = await ctx.collections.syncOps.findById(id);
  if (!prior)
    throw new ConflictError(
      'client-op-in-progress',
      `client op ${action.clientOpId} is being applied; retry`,
    );
  return replay(prior, action);
}

function replay(prior: SyncOp, action: CounterAction): CounterActionResult {
  if (prior.taskId !== action.taskId || prior.type !== action.type) {
    const err = new UnprocessableError(
      'client-op-id-reused',
      `client op id ${action.clientOpId} was used for ${prior.type} on task ${prior.taskId}`,
    );
    return { ...rejected(action, err), replayed: false };
  }
  return { ...prior.result, replayed: true };
}

function opRecord(
  id: string,
  storeId: string,
  action: CounterAction,
  result: SyncOpResult,
  now: Date,
): SyncOp {
  return {
    _id: id,
    storeId,
    clientOpId: action.clientOpId,
    taskId: action.taskId,
    type: action.type,
    at: now.toISOString(),
    clientAt: action.at,
    result,
  };
}

function rejected(action: CounterAction, err: AppError): SyncOpResult {
  const attemptsLeft =
    typeof err.extensions.attemptsLeft === 'number' ? err.extensions.attemptsLeft : undefined;
  return {
    clientOpId: action.clientOpId,
    taskId: action.taskId,
    outcome: 'rejected',
    error: {
      status: err.status,
      type: err.type,
      detail: err.detail ?? err.title,
      ...(attemptsLeft !== undefined ? { attemptsLeft } : {}),
    },
  };
}

function invalid(action: CounterAction, detail: string): BadRequestError {
  return new BadRequestError(
    `${action.type} action ${action.clientOpId}: ${detail}`,
    [],
    'invalid-counter-action',
  );
}

async function perform(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  action: CounterAction,
): Promise<SyncOpResult> {
  const applied = (state: string): SyncOpResult => ({
    clientOpId: action.clientOpId,
    taskId: action.taskId,
    outcome: 'applied',
    state,
  });
  switch (action.type) {
    case 'start':
      return applied((await startPicking(ctx, session, storeId, action.taskId)).state);
    case 'confirm-line': {
      if (action.qty === undefined) throw invalid(action, 'qty is required');
      const ref =
        action.sku !== undefined
          ? { sku: action.sku }
          : action.barcode !== undefined
            ? { barcode: action.barcode }
            : null;
      if (!ref) throw invalid(action, 'sku or barcode is required');
      return applied((await confirmLine(ctx, session, storeId, action.taskId, ref, action.qty)).state);
    }
    case 'ready':
      return applied((await markReady(ctx, session, storeId, action.taskId)).state);
    case 'short':
      if (!action.lines?.length) throw invalid(action, 'lines are required');
      return applied((await reportShort(ctx, session, storeId, action.taskId, action.lines)).state);
    case 'collected': {
      const proof: PickupProof | null =
        action.code !== undefined
          ? { code: action.code }
          : action.qr !== undefined
            ? { qr: action.qr }
            : null;
      if (!proof) throw invalid(action, 'code or qr is required');
      const outcome = await collectOffline(ctx, session, {
        storeId,
        taskId: action.taskId,
        proof,
        clientOpId: action.clientOpId,
        clientAt: action.at,
      });
      return collectedResult(action, outcome);
    }
  }
}

function collectedResult(action: CounterAction, outcome: CollectOutcome): SyncOpResult {
  const base = { clientOpId: action.clientOpId, taskId: action.taskId };
  switch (outcome.kind) {
    case 'collected':
      return { ...base, outcome: 'applied', state: outcome.task.state };
    case 'conflict':
      return { ...base, outcome: 'conflict', state: outcome.task.state, conflictId: outcome.conflict._id };
    case 'illegal':
      return rejected(action, illegalTransition(outcome.task, 'collect-offline'));
    case 'locked':
      return rejected(action, new TaskLockedError(outcome.task._id));
    case 'wrong-code':
      return rejected(action, wrongCode(outcome.task._id, outcome.attemptsLeft, outcome.reason));
    case 'unusable-qr':
      return rejected(action, new UnprocessableError('qr-unusable', `QR payload ${outcome.reason}`));
  }
}
