import { Type } from 'typebox';
import { type App, ForbiddenError, idSchema, requirePrincipal, StoreId, withCursor } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { listConflicts } from '../app/queries/queries';
import { resolveConflict } from '../app/resolve-conflict';
import type { PickupConflict } from '../store/collections';
import { ConflictView, PageQuery, Paged } from './schemas';

const tags = ['pickup ops'];

function conflictView(c: PickupConflict) {
  const { _id, ...rest } = c;
  return { conflictId: _id, ...rest };
}

export function registerOpsRoutes(app: App, ctx: PickupContext): void {
  app.get(
    '/v1/ops/pickup/conflicts',
    {
      config: { permission: 'pickup:manage' },
      schema: {
        tags,
        description:
          'Goods handed over against a void order (offline counters, races): for ops, newest first. Store managers see their stores.',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
            storeId: Type.Optional(StoreId),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Paged(ConflictView) },
      },
    },
    async (req) => {
      const page = await withCursor(() => listConflicts(ctx, requirePrincipal(req), req.query));
      return { items: page.items.map(conflictView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/ops/pickup/conflicts/:conflictId/resolve',
    {
      config: { permission: 'pickup:manage' },
      schema: {
        tags,
        description: 'Ops records how a conflict was settled (audited).',
        // `<taskId>:<kind>[:<clientOpId>]`
        params: Type.Object({ conflictId: idSchema('A-Za-z0-9._~:-', 400) }),
        body: Type.Object(
          { resolution: Type.String({ minLength: 3, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 200: ConflictView },
      },
    },
    async (req) => {
      const actor = requirePrincipal(req);
      if (actor.role !== 'ops') throw new ForbiddenError('only ops resolve pickup conflicts');
      return conflictView(
        await ctx.store.withTransaction((s) =>
          resolveConflict(ctx, s, actor, req.params.conflictId, req.body.resolution),
        ),
      );
    },
  );
}
