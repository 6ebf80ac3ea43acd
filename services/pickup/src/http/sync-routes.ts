import { Type } from 'typebox';
import type { App } from '@omni/kit';
import { applyCounterActions } from '../app/apply-counter-actions';
import type { PickupContext } from '../app/context';
import { storeChanges } from '../app/queries/queries';
import { Barcode, Code, CounterTaskView, Id, IsoTime, Qr, Sku, StoreParams } from './schemas';
import { storeScope } from './route-helpers';

const tags = ['pickup counter sync'];

const CounterAction = Type.Object(
  {
    clientOpId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
    taskId: Id,
    type: Type.Union([
      Type.Literal('start'),
      Type.Literal('confirm-line'),
      Type.Literal('ready'),
      Type.Literal('short'),
      Type.Literal('collected'),
    ]),
    at: IsoTime,
    sku: Type.Optional(Sku),
    barcode: Type.Optional(Barcode),
    qty: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          { sku: Sku, qty: Type.Integer({ minimum: 1, maximum: 10_000 }) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 200 },
      ),
    ),
    code: Type.Optional(Code),
    qr: Type.Optional(Qr),
  },
  { additionalProperties: false },
);

const ActionResult = Type.Object({
  clientOpId: Type.String(),
  taskId: Type.String(),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('rejected'), Type.Literal('conflict')]),
  replayed: Type.Boolean(),
  state: Type.Optional(Type.String()),
  error: Type.Optional(
    Type.Object({
      status: Type.Integer(),
      type: Type.String(),
      detail: Type.String(),
      attemptsLeft: Type.Optional(Type.Integer()),
    }),
  ),
  conflictId: Type.Optional(Type.String()),
});

export function registerSyncRoutes(app: App, ctx: PickupContext): void {
  app.get(
    '/v1/stores/:storeId/pickup/changes',
    {
      config: { permission: 'pickup:work', scope: storeScope },
      schema: {
        tags,
        description:
          'Task changes since `cursor` (the store change-feed sequence; omit for everything), each task once in its latest state (nothing derived from pickup codes: offline, verify the signed QR of the customer with the `qrPublicKey`). Pass the returned cursor back.',
        params: StoreParams,
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 200 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(CounterTaskView),
            cursor: Type.String(),
            hasMore: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => storeChanges(ctx, req.params.storeId, Number(req.query.cursor ?? '0'), req.query.limit),
  );

  app.post(
    '/v1/stores/:storeId/pickup/actions',
    {
      config: { permission: 'pickup:work', scope: storeScope },
      schema: {
        tags,
        description:
          'Actions a counter recorded (possibly offline), applied in order, exactly once per clientOpId (a replay returns the first outcome with `replayed: true`). A collection the server can no longer accept (order cancelled, re-routed, expired, code not verifying) is reported as `conflict` and stored for ops.',
        params: StoreParams,
        body: Type.Object(
          { actions: Type.Array(CounterAction, { minItems: 1, maxItems: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ results: Type.Array(ActionResult) }) },
      },
    },
    async (req) => ({ results: await applyCounterActions(ctx, req.params.storeId, req.body.actions) }),
  );
}
