import { PickupTaskCollected } from '@omni/contracts';
import type { Session } from '@omni/store';
import { attemptsLeft, canApply, isLocked, OPEN_STATES, type PickupTask } from '../domain/task';
import { nextSeq, type ConflictKind, type PickupConflict } from '../store/collections';
import type { PickupContext } from './context';
import { changeTask, loadStoreTask, releaseCodeIfClosed, recordConflict, taskRef } from './task-writes';

export type PickupProof = { code: string } | { qr: string };

export type CollectOutcome =
  | { kind: 'collected'; task: PickupTask }
  /** Counted against the task's attempts; `locked` when this attempt used the last one. */
  | { kind: 'wrong-code'; task: PickupTask; attemptsLeft: number; locked: boolean; reason: string }
  /** A QR that cannot be read or has expired: not an attempt. */
  | { kind: 'unusable-qr'; reason: 'malformed' | 'expired' }
  | { kind: 'locked'; task: PickupTask }
  | { kind: 'illegal'; task: PickupTask }
  /** Offline only: the goods left the store but the task no longer allowed it (or the code was bad). */
  | { kind: 'conflict'; task: PickupTask; conflict: PickupConflict };

type ProofCheck =
  | { ok: true }
  | { ok: false; counted: true; reason: string }
  | { ok: false; counted: false; reason: 'malformed' | 'expired' };

function checkProof(ctx: PickupContext, task: PickupTask, proof: PickupProof, at: Date): ProofCheck {
  if ('code' in proof)
    return ctx.codes.matches(proof.code, task.code.hash)
      ? { ok: true }
      : { ok: false, counted: true, reason: 'code' };
  const qr = ctx.codes.verifyQr(proof.qr, at);
  if (!qr.ok)
    return qr.reason === 'bad-signature'
      ? { ok: false, counted: true, reason: 'qr-signature' }
      : { ok: false, counted: false, reason: qr.reason };
  if (qr.claims.taskId !== task._id || qr.claims.storeId !== task.storeId)
    return { ok: false, counted: true, reason: 'qr-other-task' };
  return ctx.codes.matches(qr.claims.code, task.code.hash)
    ? { ok: true }
    : { ok: false, counted: true, reason: 'qr-code' };
}

/** Counts a wrong attempt (never beyond the limit, whatever the concurrency); locks on the last one. */
async function countWrongAttempt(
  ctx: PickupContext,
  session: Session,
  task: PickupTask,
  reason: string,
): Promise<CollectOutcome> {
  ctx.metrics.codeFailures.inc({ reason });
  const after = await ctx.collections.tasks.findOneAndUpdate(
    { _id: task._id, state: { $in: [...OPEN_STATES] }, failedAttempts: { $lt: task.attemptLimit } },
    { $inc: { failedAttempts: 1 } },
    { session },
  );
  if (!after) {
    const current = (await ctx.collections.tasks.findById(task._id, { session })) ?? task;
    return isLocked(current) ? { kind: 'locked', task: current } : { kind: 'illegal', task: current };
  }
  if (!isLocked(after))
    return { kind: 'wrong-code', task: after, attemptsLeft: attemptsLeft(after), locked: false, reason };
  const now = ctx.clock();
  const seq = await nextSeq(ctx.collections, task.storeId, now, session);
  const locked =
    (await ctx.collections.tasks.findOneAndUpdate(
      { _id: task._id },
      { $set: { lockedAt: now.toISOString(), seq, updatedAt: now.toISOString() } },
      { session },
    )) ?? after;
  ctx.metrics.lockouts.inc();
  ctx.log.warn(
    { taskId: task._id, storeId: task.storeId, attempts: locked.failedAttempts },
    'pickup task locked after wrong codes',
  );
  return { kind: 'wrong-code', task: locked, attemptsLeft: 0, locked: true, reason };
}

async function completeCollection(
  ctx: PickupContext,
  session: Session,
  task: PickupTask,
  collectedAt: string,
  offline: boolean,
): Promise<CollectOutcome> {
  const after = await changeTask(ctx, session, task, offline ? 'collect-offline' : 'collect', {
    // The lock must still be off at write time, on every path (a lock is never bypassed offline).
    guard: { failedAttempts: { $lt: task.attemptLimit } },
    set: { state: 'collected', collectedAt, closedAt: ctx.clock().toISOString(), collectedOffline: offline },
  });
  if (!after) {
    const current = (await ctx.collections.tasks.findById(task._id, { session })) ?? task;
    return isLocked(current) && current.state === 'ready'
      ? { kind: 'locked', task: current }
      : { kind: 'illegal', task: current };
  }
  await releaseCodeIfClosed(ctx, session, after);
  await ctx.events.publish(session, PickupTaskCollected, {
    subject: after.orderId,
    data: { ...taskRef(after), collectedAt, offline },
  });
  return { kind: 'collected', task: after };
}

/** Hand-over at a connected counter: code or QR, attempts counted, one winner under concurrency. */
export async function collect(
  ctx: PickupContext,
  session: Session,
  storeId: string,
  taskId: string,
  proof: PickupProof,
): Promise<CollectOutcome> {
  const task = await loadStoreTask(ctx, session, storeId, taskId);
  if (!canApply('collect', task.state)) return { kind: 'illegal', task };
  if (isLocked(task)) return { kind: 'locked', task };
  const now = ctx.clock();
  const check = checkProof(ctx, task, proof, now);
  if (!check.ok) {
    if (!check.counted) {
      ctx.metrics.codeFailures.inc({ reason: `qr-${check.reason}` });
      return { kind: 'unusable-qr', reason: check.reason };
    }
    return countWrongAttempt(ctx, session, task, check.reason);
  }
  return completeCollection(ctx, session, task, now.toISOString(), false);
}

const CONFLICT_BY_STATE: Partial<Record<PickupTask['state'], ConflictKind>> = {
  cancelled: 'collected-after-cancel',
  rerouted: 'collected-after-reroute',
  expired: 'collected-after-expiry',
  short: 'collected-after-short',
};

/**
 * A collection made while the counter was offline (code checked there); the server re-verifies the
 * code. Goods that left against a task the server had meanwhile voided, or against a code that does
 * not verify, are never dropped: they become a conflict for ops, reported back to the counter.
 */
export async function collectOffline(
  ctx: PickupContext,
  session: Session,
  input: { storeId: string; taskId: string; proof: PickupProof; clientOpId: string; clientAt: string },
): Promise<CollectOutcome> {
  const task = await loadStoreTask(ctx, session, input.storeId, input.taskId);
  const now = ctx.clock();
  // Client clocks drift: never in the future, never before the task existed.
  const at = new Date(
    Math.min(now.getTime(), Math.max(Date.parse(input.clientAt), Date.parse(task.createdAt))),
  );
  const check = checkProof(ctx, task, input.proof, at);
  const conflictKind = CONFLICT_BY_STATE[task.state];
  if (conflictKind) {
    const conflict = await recordConflict(ctx, session, {
      id: `${task._id}:${conflictKind}:${input.clientOpId}`,
      kind: conflictKind,
      task,
      clientOpId: input.clientOpId,
      offlineCollectedAt: at.toISOString(),
      detail: `collected at an offline counter at ${at.toISOString()} but the task was ${task.state}${task.closeReason ? ` (${task.closeReason})` : ''}; code ${check.ok ? 'verified' : 'did NOT verify'}`,
    });
    return { kind: 'conflict', task, conflict };
  }
  if (!canApply('collect-offline', task.state)) return { kind: 'illegal', task };
  if (isLocked(task)) {
    // The lock holds on every path: a typed code is not even looked at (the answer would be an oracle
    // for whoever locked it by guessing). A signed QR cannot be guessed, so one that verifies means
    // the goods really left: a conflict for ops; the task stays locked until a manager acts.
    if (!('qr' in input.proof) || !check.ok) return { kind: 'locked', task };
    const conflict = await recordConflict(ctx, session, {
      id: `${task._id}:collected-while-locked:${input.clientOpId}`,
      kind: 'collected-while-locked',
      task,
      clientOpId: input.clientOpId,
      offlineCollectedAt: at.toISOString(),
      detail: `collected at an offline counter at ${at.toISOString()} against a valid QR, but the task was locked after ${task.failedAttempts} wrong codes`,
    });
    return { kind: 'conflict', task, conflict };
  }
  if (!check.ok) {
    if (check.counted) await countWrongAttempt(ctx, session, task, `offline-${check.reason}`);
    const current = (await ctx.collections.tasks.findById(task._id, { session })) ?? task;
    const conflict = await recordConflict(ctx, session, {
      id: `${task._id}:collected-offline-code-invalid:${input.clientOpId}`,
      kind: 'collected-offline-code-invalid',
      task: current,
      clientOpId: input.clientOpId,
      offlineCollectedAt: at.toISOString(),
      detail: `collected at an offline counter at ${at.toISOString()} but the code does not verify (${check.reason}); task left ${current.state}`,
    });
    return { kind: 'conflict', task: current, conflict };
  }
  return completeCollection(ctx, session, task, at.toISOString(), true);
}
