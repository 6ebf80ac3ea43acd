import { PickupTaskCreated, type OrderConfirmed } from '@omni/contracts';
import type { EventData } from '@omni/events';
import { newId, type Session } from '@omni/store';
import { decideConfirmed } from '../domain/order-track';
import { isPaused, promisedReadyAt } from '../domain/store';
import { toTaskLines, VOIDABLE_STATES, type PickupTask } from '../domain/task';
import { nextSeq } from '../store/collections';
import type { PickupContext } from './context';
import { closeTask, openCodeId, recordConflict } from './task-writes';

const CODE_ISSUE_TRIES = 8;

export type CreateTaskOutcome = { kind: 'created'; task: PickupTask } | { kind: 'ignored'; reason: string };

/**
 * An order confirmed for pickup becomes a task in the store's queue, with a fresh pickup code.
 * Runs inside the consumer's transaction (with the inbox row): duplicates, stale attempts and orders
 * already cancelled are ignored, never thrown (a throw would mean retry).
 */
export async function createTaskFromOrder(
  ctx: PickupContext,
  session: Session,
  data: EventData<typeof OrderConfirmed>,
): Promise<CreateTaskOutcome> {
  if (data.fulfilment.method !== 'pickup') return { kind: 'ignored', reason: 'not-pickup' };
  const storeId = data.fulfilment.locationId;
  const track = await ctx.collections.orders.findById(data.orderId, { session });
  const existing = await ctx.collections.tasks.find({ orderId: data.orderId }, { session });
  const decision = decideConfirmed(
    track,
    { locationId: storeId, routeAttempt: data.routeAttempt },
    existing.map((t) => t.routeAttempt),
  );
  if (decision.kind === 'ignore') {
    ctx.metrics.ignoredEvents.inc({ type: 'order.confirmed', reason: decision.reason });
    return { kind: 'ignored', reason: decision.reason };
  }

  // A newer attempt supersedes any task still live for the order (its re-route event may be late).
  for (const old of existing) {
    if (old.routeAttempt >= data.routeAttempt) continue;
    if (VOIDABLE_STATES.includes(old.state))
      await closeTask(ctx, session, old, 'reroute', 'rerouted', 'superseded by a newer route attempt');
    else if (old.state === 'collected') {
      await recordConflict(ctx, session, {
        id: `${old._id}:rerouted-after-collected`,
        kind: 'rerouted-after-collected',
        task: old,
        detail: `order re-confirmed at ${storeId} (attempt ${data.routeAttempt}) after the goods were collected at ${old.storeId}`,
      });
    }
  }

  const now = ctx.clock();
  const seq = await nextSeq(ctx.collections, storeId, now, session);
  const store = await ctx.collections.stores.findById(storeId, { session });
  if (!store) throw new Error(`store ${storeId} missing after numbering`);

  const taskId = newId();
  // Unique among the store's open tasks: another open task with the same code gets a new nonce.
  let issued = ctx.codes.issue(taskId);
  for (
    let i = 1;
    await ctx.collections.openCodes.findById(openCodeId(storeId, issued.hash), { session });
    i++
  ) {
    if (i >= CODE_ISSUE_TRIES)
      throw new Error(`store ${storeId}: no free pickup code after ${CODE_ISSUE_TRIES} tries`);
    issued = ctx.codes.issue(taskId);
  }
  await ctx.collections.openCodes.insertOne(
    { _id: openCodeId(storeId, issued.hash), storeId, taskId },
    { session },
  );

  const paused = isPaused(store.pause);
  const task: PickupTask = {
    _id: taskId,
    orderId: data.orderId,
    storeId,
    routeAttempt: data.routeAttempt,
    reservationId: data.reservationId,
    ...(data.customerId !== undefined ? { customerId: data.customerId } : {}),
    ...(data.customerName !== undefined ? { customerName: data.customerName } : {}),
    lines: toTaskLines(data.lines),
    state: 'queued',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    promisedReadyAt: promisedReadyAt(now, store.config).toISOString(),
    ...(data.fulfilment.promisedAt !== undefined ? { orderPromisedAt: data.fulfilment.promisedAt } : {}),
    code: { nonce: issued.nonce, hash: issued.hash },
    failedAttempts: 0,
    attemptLimit: store.config.lockoutAttempts,
    storePausedAtCreation: paused,
    seq,
  };
  await ctx.collections.tasks.insertOne(task, { session });
  await ctx.collections.orders.updateOne(
    { _id: data.orderId },
    { $max: { maxAttempt: data.routeAttempt }, $setOnInsert: { voided: [] } },
    { upsert: true, session },
  );
  await ctx.events.publish(session, PickupTaskCreated, {
    subject: data.orderId,
    data: {
      taskId,
      orderId: data.orderId,
      storeId,
      reservationId: data.reservationId,
      promisedReadyAt: task.promisedReadyAt,
    },
  });
  ctx.metrics.tasksCreated.inc({ paused: String(paused) });
  ctx.log.info(
    { taskId, orderId: data.orderId, storeId, routeAttempt: data.routeAttempt, storePaused: paused },
    'pickup task created',
  );
  return { kind: 'created', task };
}
