import { Type } from 'typebox';
import { type App, requirePrincipal, UnprocessableError, withCursor } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { collect, type CollectOutcome, type PickupProof } from '../app/collect';
import { confirmLine } from '../app/confirm-line';
import { illegalTransition, TaskLockedError, wrongCode } from '../app/errors';
import { markReady } from '../app/mark-ready';
import { getTask, listTasks } from '../app/queries/queries';
import { staffView } from '../app/queries/views';
import { reportShort } from '../app/report-short';
import { startPicking } from '../app/start-picking';
import { unlockTask } from '../app/unlock-task';
import {
  Barcode,
  Code,
  PageQuery,
  Paged,
  Qr,
  Sku,
  StoreParams,
  TaskParams,
  TaskStateSchema,
  TaskView,
} from './schemas';
import { storeScope } from './route-helpers';

const work = { permission: 'pickup:work' as const, scope: storeScope };
const manage = { permission: 'pickup:manage' as const, scope: storeScope };
const tags = ['pickup tasks'];

/** Maps a hand-over outcome to the HTTP answer: 200, 409 (not ready / already collected), 422 (wrong code), 423 (locked). */
export function collectAnswer(outcome: CollectOutcome, now: Date) {
  switch (outcome.kind) {
    case 'collected':
      return staffView(outcome.task, now);
    case 'wrong-code':
      if (outcome.locked) throw new TaskLockedError(outcome.task._id);
      throw wrongCode(outcome.task._id, outcome.attemptsLeft, outcome.reason);
    case 'unusable-qr':
      throw new UnprocessableError(
        'qr-unusable',
        `the QR payload is ${outcome.reason}; ask for the numeric code`,
      );
    case 'locked':
      throw new TaskLockedError(outcome.task._id);
    case 'illegal':
    case 'conflict':
      throw illegalTransition(outcome.task, 'collect');
  }
}

export function registerTaskRoutes(app: App, ctx: PickupContext): void {
  const tx = <T>(fn: Parameters<typeof ctx.store.withTransaction<T>>[0]) => ctx.store.withTransaction(fn);

  app.get(
    '/v1/stores/:storeId/pickup/tasks',
    {
      config: work,
      schema: {
        tags,
        description:
          "The store's pickup queue, earliest promised ready time first; `overdue` flags tasks still preparing past their promise.",
        params: StoreParams,
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([TaskStateSchema, Type.Literal('open')])),
            overdue: Type.Optional(Type.Boolean()),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Paged(TaskView) },
      },
    },
    async (req) => withCursor(() => listTasks(ctx, req.params.storeId, req.query)),
  );

  app.get(
    '/v1/stores/:storeId/pickup/tasks/:taskId',
    { config: work, schema: { tags, params: TaskParams, response: { 200: TaskView } } },
    async (req) => getTask(ctx, req.params.storeId, req.params.taskId),
  );

  app.post(
    '/v1/stores/:storeId/pickup/tasks/:taskId/start',
    {
      config: work,
      schema: { tags, description: 'queued → picking', params: TaskParams, response: { 200: TaskView } },
    },
    async (req) =>
      staffView(await tx((s) => startPicking(ctx, s, req.params.storeId, req.params.taskId)), ctx.clock()),
  );

  app.post(
    '/v1/stores/:storeId/pickup/tasks/:taskId/lines',
    {
      config: work,
      schema: {
        tags,
        description:
          'Confirms scanned units of a line, by SKU or barcode; never beyond the ordered quantity (422).',
        params: TaskParams,
        body: Type.Union([
          Type.Object(
            { sku: Sku, qty: Type.Integer({ minimum: 1, maximum: 10_000 }) },
            { additionalProperties: false },
          ),
          Type.Object(
            { barcode: Barcode, qty: Type.Integer({ minimum: 1, maximum: 10_000 }) },
            { additionalProperties: false },
          ),
        ]),
        response: { 200: TaskView },
      },
    },
    async (req) => {
      const body = req.body;
      const ref = 'sku' in body ? { sku: body.sku } : { barcode: body.barcode };
      return staffView(
        await tx((s) => confirmLine(ctx, s, req.params.storeId, req.params.taskId, ref, body.qty)),
        ctx.clock(),
      );
    },
  );

  app.post(
    '/v1/stores/:storeId/pickup/tasks/:taskId/ready',
    {
      config: work,
      schema: {
        tags,
        description:
          'picking → ready (every line confirmed, else 422); starts the hold and tells the customer.',
        params: TaskParams,
        response: { 200: TaskView },
      },
    },
    async (req) =>
      staffView(await tx((s) => markReady(ctx, s, req.params.storeId, req.params.taskId)), ctx.clock()),
  );

  app.post(
    '/v1/stores/:storeId/pickup/tasks/:taskId/short',
    {
      config: work,
      schema: {
        tags,
        description:
          'queued | picking → short: the SKUs and units that cannot be found; orders re-routes the order.',
        params: TaskParams,
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object(
                { sku: Sku, qty: Type.Integer({ minimum: 1, maximum: 10_000 }) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 200 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: TaskView },
      },
    },
    async (req) =>
      staffView(
        await tx((s) => reportShort(ctx, s, req.params.storeId, req.params.taskId, req.body.lines)),
        ctx.clock(),
      ),
  );

  app.post(
    '/v1/stores/:storeId/pickup/tasks/:taskId/collect',
    {
      config: work,
      schema: {
        tags,
        description:
          'Hand-over against the pickup code or QR. Wrong code → 422 with `attemptsLeft`; locked → 423; not ready or already collected → 409.',
        params: TaskParams,
        body: Type.Union([
          Type.Object({ code: Code }, { additionalProperties: false }),
          Type.Object({ qr: Qr }, { additionalProperties: false }),
        ]),
        response: { 200: TaskView },
      },
    },
    async (req) => {
      const proof: PickupProof = 'code' in req.body ? { code: req.body.code } : { qr: req.body.qr };
      const outcome = await tx((s) => collect(ctx, s, req.params.storeId, req.params.taskId, proof));
      return collectAnswer(outcome, ctx.clock());
    },
  );

  app.post(
    '/v1/stores/:storeId/pickup/scan',
    {
      config: work,
      schema: {
        tags,
        description:
          'Hand-over by scanning the customer QR (it names the task). Signature and expiry are verified first.',
        params: StoreParams,
        body: Type.Object({ qr: Qr }, { additionalProperties: false }),
        response: { 200: TaskView },
      },
    },
    async (req) => {
      const check = ctx.codes.verifyQr(req.body.qr, ctx.clock());
      if (!check.ok) {
        ctx.metrics.codeFailures.inc({ reason: `scan-${check.reason}` });
        throw new UnprocessableError('qr-unusable', `the QR payload is not valid (${check.reason})`);
      }
      if (check.claims.storeId !== req.params.storeId) {
        throw new UnprocessableError('qr-other-store', 'this QR is for an order at another store');
      }
      const outcome = await tx((s) =>
        collect(ctx, s, req.params.storeId, check.claims.taskId, { qr: req.body.qr }),
      );
      return collectAnswer(outcome, ctx.clock());
    },
  );

  app.post(
    '/v1/stores/:storeId/pickup/tasks/:taskId/unlock',
    {
      config: manage,
      schema: {
        tags,
        description: 'Manager lifts a wrong-code lock (audited).',
        params: TaskParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: TaskView },
      },
    },
    async (req) => {
      const actor = requirePrincipal(req);
      return staffView(
        await tx((s) => unlockTask(ctx, s, actor, req.params.storeId, req.params.taskId, req.body.reason)),
        ctx.clock(),
      );
    },
  );
}
