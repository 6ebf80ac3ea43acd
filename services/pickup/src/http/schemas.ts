import { Type, type Static } from 'typebox';
import { idSchema, SkuId, StoreId } from '@omni/kit';
import { TASK_STATES } from '../domain/task';

/** Shared HTTP schemas (request bounds + response shapes for OpenAPI). */

export const Id = idSchema('A-Za-z0-9._~:-', 128);
export const Sku = SkuId;
export const Barcode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
export const Code = Type.String({ minLength: 4, maxLength: 10, pattern: '^[0-9]+$' });
export const Qr = Type.String({ minLength: 10, maxLength: 2048 });
export const IsoTime = Type.String({ format: 'date-time' });
export const TaskStateSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('picking'),
  Type.Literal('ready'),
  Type.Literal('short'),
  Type.Literal('collected'),
  Type.Literal('expired'),
  Type.Literal('cancelled'),
  Type.Literal('rerouted'),
]);
// Keep the schema and the domain list in step.
TASK_STATES satisfies ReadonlyArray<Static<typeof TaskStateSchema>>;

export const StoreParams = Type.Object({ storeId: StoreId });
export const TaskParams = Type.Object({ storeId: StoreId, taskId: Id });

export const LineView = Type.Object({
  sku: Type.String(),
  name: Type.Optional(Type.String()),
  qty: Type.Integer(),
  confirmedQty: Type.Integer(),
  shortQty: Type.Integer(),
});

export const TaskView = Type.Object({
  taskId: Type.String(),
  orderId: Type.String(),
  storeId: Type.String(),
  routeAttempt: Type.Integer(),
  reservationId: Type.String(),
  state: TaskStateSchema,
  customerName: Type.Optional(Type.String()),
  lines: Type.Array(LineView),
  createdAt: Type.String(),
  promisedReadyAt: Type.String(),
  orderPromisedAt: Type.Optional(Type.String()),
  overdue: Type.Boolean({ description: 'Still preparing after the promised ready time' }),
  storePausedAtCreation: Type.Boolean({ description: 'The order arrived while the store was paused' }),
  locked: Type.Boolean(),
  attemptsLeft: Type.Integer(),
  startedAt: Type.Optional(Type.String()),
  readyAt: Type.Optional(Type.String()),
  holdUntil: Type.Optional(Type.String()),
  collectedAt: Type.Optional(Type.String()),
  collectedOffline: Type.Optional(Type.Boolean()),
  closedAt: Type.Optional(Type.String()),
  closeReason: Type.Optional(Type.String()),
  seq: Type.Integer(),
});

/** The change feed carries the staff view only: nothing derived from the pickup code. */
export const CounterTaskView = TaskView;

export const Paged = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const StoreConfigSchema = Type.Object({
  prepMinutes: Type.Integer({ minimum: 0, maximum: 7 * 24 * 60 }),
  holdDays: Type.Integer({ minimum: 1, maximum: 30 }),
  overdueThreshold: Type.Integer({ minimum: 1, maximum: 10_000 }),
  resumeAtOrBelow: Type.Integer({ minimum: 0, maximum: 9_999 }),
  lockoutAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
  expiringSoonHours: Type.Integer({ minimum: 1, maximum: 24 * 29 }),
});

export const ConflictView = Type.Object({
  conflictId: Type.String(),
  kind: Type.String(),
  storeId: Type.String(),
  orderId: Type.String(),
  taskId: Type.String(),
  detectedAt: Type.String(),
  taskState: Type.String(),
  detail: Type.String(),
  clientOpId: Type.Optional(Type.String()),
  offlineCollectedAt: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  resolvedAt: Type.Optional(Type.String()),
  resolvedBy: Type.Optional(Type.String()),
  resolution: Type.Optional(Type.String()),
});
