import { Type } from 'typebox';
import type { App } from '@omni/kit';
import type { IdentityContext } from '../app/context';
import { queryAllAudit } from '../app/queries/audit-query';
import { Paging } from './schemas';

export function registerAuditRoutes(app: App, ctx: IdentityContext): void {
  app.get(
    '/v1/audit/all',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        description:
          'Audit entries of every service (collected from omni.audit), newest first. `actor` takes an account id or a ' +
          'username; `action` an exact action or a prefix ending in `*`.',
        querystring: Type.Object(
          {
            service: Type.Optional(Type.String({ maxLength: 100 })),
            actor: Type.Optional(Type.String({ maxLength: 200 })),
            action: Type.Optional(Type.String({ maxLength: 200 })),
            target: Type.Optional(Type.String({ maxLength: 200 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            ...Paging,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => queryAllAudit(ctx, req.query),
  );
}
