import type { Filter, Session } from '@omni/store';
import { canApply, OPEN_STATES, type PickupTask, type TaskAction, type TaskState } from '../domain/task';
import { nextSeq, type ConflictKind, type PickupConflict } from '../store/collections';
import type { PickupContext } from './context';
import { illegalTransition, taskNotFound } from './errors';

/** The task of this store, or 404 (a task of another store is not found here, whoever asks). */
export async function loadStoreTask(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  taskId: string,
): Promise<PickupTask> {
  const task = await ctx.collections.tasks.findOne({ _id: taskId, storeId }, { session });
  if (!task) throw taskNotFound(taskId);
  return task;
}

export interface ChangeOptions {
  /** Extra conditions that must still hold at write time (e.g. a line's confirmed qty bound). */
  guard?: Filter;
  set?: Record<string, unknown>;
  unset?: string[];
  inc?: Record<string, number>;
}

/**
 * One guarded write of a task: legal from its current state (else 409), conditional on that state
 * (and `guard`) at write time so a concurrent change can never be overwritten, numbered in the
 * store's change feed. Returns the task after the change, or null when the guard no longer holds.
 */
export async function changeTask(
  ctx: PickupContext,
  session: Session,
  task: PickupTask,
  action: TaskAction,
  change: ChangeOptions,
): Promise<PickupTask | null> {
  if (!canApply(action, task.state)) throw illegalTransition(task, action);
  const now = ctx.clock();
  const seq = await nextSeq(ctx.collections, task.storeId, now, session);
  const update: Record<string, unknown> = { $set: { ...change.set, seq, updatedAt: now.toISOString() } };
  if (change.unset?.length) update.$unset = Object.fromEntries(change.unset.map((f) => [f, '']));
  if (change.inc) update.$inc = change.inc;
  const after = await ctx.collections.tasks.findOneAndUpdate(
    { _id: task._id, state: task.state, ...change.guard },
    update,
    { session },
  );
  if (after && after.state !== task.state) ctx.metrics.transitions.inc({ to: after.state });
  return after;
}

/** Like changeTask, but a lost race is a 409 (the state moved under us). */
export async function transitionTask(
  ctx: PickupContext,
  session: Session,
  task: PickupTask,
  action: TaskAction,
  change: ChangeOptions,
): Promise<PickupTask> {
  const after = await changeTask(ctx, session, task, action, change);
  if (after) return after;
  const current = (await ctx.collections.tasks.findById(task._id, { session })) ?? task;
  throw illegalTransition(current, action);
}

/** Frees the task's code for reuse in its store once the task leaves the open states. */
export async function releaseCodeIfClosed(
  ctx: PickupContext,
  session: Session,
  task: Pick<PickupTask, 'storeId' | 'code' | 'state'>,
): Promise<void> {
  if (OPEN_STATES.includes(task.state)) return;
  await ctx.collections.openCodes.deleteOne({ _id: openCodeId(task.storeId, task.code.hash) }, { session });
}

export function openCodeId(storeId: string, hash: string): string {
  return `${storeId}:${hash}`;
}

export function taskRef(t: PickupTask): {
  taskId: string;
  orderId: string;
  storeId: string;
  reservationId: string;
} {
  return { taskId: t._id, orderId: t.orderId, storeId: t.storeId, reservationId: t.reservationId };
}

/** Closes a task for good (cancelled, re-routed, expired, collected) with its code released. */
export async function closeTask(
  ctx: PickupContext,
  session: Session,
  task: PickupTask,
  action: TaskAction & ('cancel' | 'reroute' | 'expire'),
  to: TaskState,
  reason: string,
): Promise<PickupTask | null> {
  const at = ctx.clock().toISOString();
  const after = await changeTask(ctx, session, task, action, {
    set: { state: to, closedAt: at, closeReason: reason },
  });
  if (after) await releaseCodeIfClosed(ctx, session, after);
  return after;
}

/**
 * Records a conflict for ops, once per id (redelivered events and replayed ops find it there).
 * Returns the stored conflict.
 */
export async function recordConflict(
  ctx: PickupContext,
  session: Session,
  input: {
    id: string;
    kind: ConflictKind;
    task: PickupTask;
    detail: string;
    clientOpId?: string;
    offlineCollectedAt?: string;
  },
): Promise<PickupConflict> {
  const existing = await ctx.collections.conflicts.findById(input.id, { session });
  if (existing) return existing;
  const conflict: PickupConflict = {
    _id: input.id,
    kind: input.kind,
    storeId: input.task.storeId,
    orderId: input.task.orderId,
    taskId: input.task._id,
    detectedAt: ctx.clock().toISOString(),
    taskState: input.task.state,
    detail: input.detail,
    status: 'open',
    ...(input.clientOpId ? { clientOpId: input.clientOpId } : {}),
    ...(input.offlineCollectedAt ? { offlineCollectedAt: input.offlineCollectedAt } : {}),
  };
  await ctx.collections.conflicts.insertOne(conflict, { session });
  ctx.metrics.conflicts.inc({ kind: input.kind });
  ctx.log.warn(
    { conflictId: conflict._id, kind: conflict.kind, taskId: conflict.taskId, orderId: conflict.orderId },
    'pickup conflict recorded for ops',
  );
  return conflict;
}
