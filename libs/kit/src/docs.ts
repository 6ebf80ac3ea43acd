import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from './app';

/** OpenAPI generated from the route schemas, served at /docs. */
export function registerDocs(app: App, opts: { name: string; version?: string; description?: string }): void {
  // Applied directly rather than through register(): services declare their routes right after
  // createService() returns, before avvio would load a registered plugin, and swagger collects
  // routes through an onRoute hook that must already exist then.
  const applySwagger = swagger as unknown as (
    app: App,
    o: Record<string, unknown>,
    done: (err?: Error) => void,
  ) => void;
  applySwagger(
    app,
    {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: `Omni ${opts.name} API`,
          version: opts.version ?? '1.0.0',
          description: opts.description ?? '',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
    },
    (err) => {
      if (err) throw err;
    },
  );
  // ...and recorded as registered, as register() would, so swagger-ui's dependency check passes.
  (app as unknown as Record<symbol, string[]>)[Symbol.for('registered-plugin')]?.push('@fastify/swagger');
  app.register(swaggerUi, { routePrefix: '/docs' });
}
