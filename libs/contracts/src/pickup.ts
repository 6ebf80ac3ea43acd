import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { Id, IsoTime, Line } from './common';

/** Topics: `omni.pickup.task` (key = orderId, so a task's events are ordered with its order's),
 *  `omni.pickup.store` (key = storeId). */
const task = 'omni.pickup.task';

const TaskRef = { taskId: Id, orderId: Id, storeId: Id, reservationId: Id };

export const PickupTaskCreated = defineEvent({
  type: 'omni.pickup.task.created.v1',
  topic: task,
  description: 'A pickup task entered a store queue.',
  schema: Type.Object({ ...TaskRef, promisedReadyAt: IsoTime }),
});

export const PickupTaskReady = defineEvent({
  type: 'omni.pickup.task.ready.v1',
  topic: task,
  description: 'All lines picked; the customer is told the order is ready. Held until `holdUntil`.',
  schema: Type.Object({ ...TaskRef, holdUntil: IsoTime }),
});

export const PickupTaskShortPicked = defineEvent({
  type: 'omni.pickup.task.short-picked.v1',
  topic: task,
  description: 'The store could not find every unit; orders re-routes the order.',
  schema: Type.Object({ ...TaskRef, shortLines: Type.Array(Line) }),
});

export const PickupTaskCollected = defineEvent({
  type: 'omni.pickup.task.collected.v1',
  topic: task,
  description: 'Handed over against the pickup code; orders commits the reservation and captures payment.',
  schema: Type.Object({ ...TaskRef, collectedAt: IsoTime, offline: Type.Boolean() }),
});

export const PickupTaskExpired = defineEvent({
  type: 'omni.pickup.task.expired.v1',
  topic: task,
  description:
    'No-show: not collected within the hold period; orders cancels and the stock goes back on sale.',
  schema: Type.Object(TaskRef),
});

export const PickupStorePaused = defineEvent({
  type: 'omni.pickup.store.paused.v1',
  topic: 'omni.pickup.store',
  description:
    'The store takes no new pickup orders (by staff, or automatically when overdue tasks pile up). Routing skips it.',
  schema: Type.Object({ storeId: Id, reason: Type.String(), automatic: Type.Boolean() }),
});

export const PickupStoreResumed = defineEvent({
  type: 'omni.pickup.store.resumed.v1',
  topic: 'omni.pickup.store',
  description: 'The store takes pickup orders again.',
  schema: Type.Object({ storeId: Id, automatic: Type.Boolean() }),
});

export const pickupEvents = [
  PickupTaskCreated,
  PickupTaskReady,
  PickupTaskShortPicked,
  PickupTaskCollected,
  PickupTaskExpired,
  PickupStorePaused,
  PickupStoreResumed,
];
