import { ForbiddenError, NotFoundError, readableStores, type Principal } from '@omni/kit';
import type { Filter } from '@omni/store';
import { DEFAULT_STORE_CONFIG, isPaused } from '../../domain/store';
import { OPEN_STATES, PREPARING_STATES, type TaskState } from '../../domain/task';
import { requireStore } from '../../store/collections';
import type { PickupContext } from '../context';
import { taskNotFound } from '../errors';
import { countOverdue } from '../pause-store';
import { counterView, customerView, staffView } from './views';

export interface TaskListQuery {
  state?: TaskState | 'open';
  overdue?: boolean;
  limit: number;
  cursor?: string;
}

/** The store's queue by promised ready time (earliest first), cursor-paginated; overdue ones flagged. */
export async function listTasks(ctx: PickupContext, storeId: string, q: TaskListQuery) {
  await requireStore(ctx.collections, storeId);
  const now = ctx.clock();
  const filter: Filter = { storeId };
  let states: TaskState[] | null = q.state === 'open' ? [...OPEN_STATES] : q.state ? [q.state] : null;
  if (q.overdue === true) {
    // Overdue = still preparing past the promised time.
    states = (states ?? [...PREPARING_STATES]).filter((s) => PREPARING_STATES.includes(s));
    filter.promisedReadyAt = { $lt: now.toISOString() };
  }
  if (states?.length === 0) return { items: [], nextCursor: null };
  if (states) filter.state = { $in: states };
  const page = await ctx.collections.tasks.page(filter, {
    limit: q.limit,
    cursor: q.cursor ?? null,
    sortField: 'promisedReadyAt',
    direction: 1,
  });
  return { items: page.items.map((t) => staffView(t, now)), nextCursor: page.nextCursor };
}

export async function getTask(ctx: PickupContext, storeId: string, taskId: string) {
  const task = await ctx.collections.tasks.findOne({ _id: taskId, storeId });
  if (!task) throw taskNotFound(taskId);
  return staffView(task, ctx.clock());
}

/**
 * The customer's pickup for an order: the newest route attempt's task. Only the order's customer (or
 * ops) may see it, since it carries the code; a guest order's code is for ops only.
 */
export async function customerPickup(ctx: PickupContext, principal: Principal, orderId: string) {
  const [task] = await ctx.collections.tasks.find({ orderId }, { sort: { routeAttempt: -1 }, limit: 1 });
  if (!task) throw new NotFoundError('pickup for order', orderId);
  if (
    principal.role !== 'ops' &&
    (principal.role !== 'customer' ||
      task.customerId === undefined ||
      principal.customerId !== task.customerId)
  ) {
    throw new ForbiddenError(`${principal.role} ${principal.sub} may not see the pickup of order ${orderId}`);
  }
  const config = (await ctx.collections.stores.findById(task.storeId))?.config ?? DEFAULT_STORE_CONFIG;
  return customerView(task, ctx.codes, config);
}

/**
 * Task changes of a store after `cursor` (its change-feed sequence), oldest first: each task once, in
 * its latest state. The returned cursor is the last sequence included; pass it back for the next call.
 */
export async function storeChanges(ctx: PickupContext, storeId: string, cursor: number, limit: number) {
  await requireStore(ctx.collections, storeId);
  const now = ctx.clock();
  const tasks = await ctx.collections.tasks.find(
    { storeId, seq: { $gt: cursor } },
    { sort: { seq: 1 }, limit: limit + 1 },
  );
  const items = tasks.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((t) => counterView(t, now)),
    cursor: String(last ? last.seq : cursor),
    hasMore: tasks.length > limit,
  };
}

export async function storeStatus(ctx: PickupContext, storeId: string) {
  const now = ctx.clock();
  const store = await requireStore(ctx.collections, storeId);
  const count = (state: TaskState) => ctx.collections.tasks.countDocuments({ storeId, state });
  const [queued, picking, ready, overdue] = await Promise.all([
    count('queued'),
    count('picking'),
    count('ready'),
    countOverdue(ctx, storeId, now),
  ]);
  const pause = store.pause;
  return {
    storeId,
    paused: isPaused(pause),
    ...(pause.manual ? { manualPause: pause.manual } : {}),
    ...(pause.automatic ? { automaticPause: pause.automatic } : {}),
    config: store.config,
    counts: { queued, picking, ready, overdue },
    cursor: String(store.seq),
    qrPublicKey: ctx.codes.qrPublicKeyPem(),
  };
}

/** Conflicts for ops (all stores) or a store manager (their managed stores only), newest first. */
export async function listConflicts(
  ctx: PickupContext,
  principal: Principal,
  q: { status?: 'open' | 'resolved'; storeId?: string; limit: number; cursor?: string },
) {
  const filter: Filter = {};
  if (q.status) filter.status = q.status;
  // Store managers and store-bound clients see their stores only; ops and unbound clients all.
  const managed = readableStores(principal, 'pickup:manage');
  if (managed !== 'all') {
    if (q.storeId !== undefined && !managed.has(q.storeId))
      throw new ForbiddenError(`not a manager of store ${q.storeId}`);
    filter.storeId = q.storeId ?? { $in: [...managed] };
  } else if (q.storeId !== undefined) filter.storeId = q.storeId;
  // Conflicts of a store pickup never heard of: 404, like every other store route.
  if (q.storeId !== undefined) await requireStore(ctx.collections, q.storeId);
  return ctx.collections.conflicts.page(filter, {
    limit: q.limit,
    cursor: q.cursor ?? null,
    sortField: 'detectedAt',
    direction: -1,
  });
}
