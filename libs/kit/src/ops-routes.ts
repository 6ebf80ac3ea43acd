import { Type } from 'typebox';
import type { Logger } from 'pino';
import { toAsyncApi } from '@omni/events';
import type { App } from './app';
import type { AuditLog } from './audit';
import { UnavailableError } from './errors';
import type { ServiceEvents } from './events';
import type { Metrics } from './metrics';
import { withTimeout } from './timeout';

export type ReadinessCheck = () => Promise<void>;
export type LivenessCheck = () => Promise<string[]> | string[];

export interface OpsRoutesOptions {
  name: string;
  version?: string;
  /** The service's lifecycle state: /readyz answers 503 until it is 'ready'. */
  state: () => string;
  checks: ReadonlyMap<string, ReadinessCheck>;
  liveness: ReadonlyMap<string, LivenessCheck>;
  audit: AuditLog;
  events: ServiceEvents;
  metrics: Metrics;
  log: Logger;
}

/** /livez, /readyz, /metrics, /v1/audit and the AsyncAPI catalogue: the same on every service. */
export function registerOpsRoutes(app: App, o: OpsRoutesOptions): void {
  const hide = { hide: true } as Record<string, unknown>;
  app.get('/livez', { schema: hide }, async () => {
    const dead: string[] = [];
    for (const [name, check] of o.liveness) {
      for (const part of await check()) dead.push(`${name}: ${part}`);
    }
    if (dead.length > 0) throw new UnavailableError(`not live: ${dead.join('; ')}`, 'not-live');
    return { status: 'ok' };
  });
  app.get('/readyz', { schema: hide }, async (_req, reply) => {
    if (o.state() !== 'ready') throw new UnavailableError(`${o.name} is ${o.state()}`, 'not-ready');
    const results: Record<string, string> = {};
    let ok = true;
    await Promise.all(
      [...o.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000, `${name} readiness check timed out`);
          results[name] = 'ok';
        } catch (err) {
          ok = false;
          results[name] = (err as Error).message;
        }
      }),
    );
    if (!ok) throw new UnavailableError(`not ready: ${JSON.stringify(results)}`, 'not-ready');
    return reply.send({ status: 'ready', checks: results });
  });
  app.get(
    '/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        description: `Audit log of privileged operations in the ${o.name} service, newest first.`,
        tags: ['audit'],
        querystring: Type.Object(
          {
            actor: Type.Optional(Type.String({ maxLength: 200 })),
            action: Type.Optional(Type.String({ maxLength: 200 })),
            targetId: Type.Optional(Type.String({ maxLength: 200 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const { limit, cursor, ...q } = req.query;
      return o.audit.query(q, { limit, cursor });
    },
  );
  // The event catalogue of this service (what it produces and consumes), generated from the
  // same schemas the outbox and consumers validate with.
  app.get('/docs/asyncapi.json', { schema: hide }, async () =>
    toAsyncApi(o.events.registry, {
      title: `Omni ${o.name} events`,
      version: o.version ?? '1.0.0',
    }),
  );
  app.get('/metrics', { schema: hide }, async (_req, reply) => {
    // Lag comes from the bus (a broker round trip on Kafka): bounded, and a scrape during a
    // broker outage still returns every other metric.
    await withTimeout(o.events.refreshMetrics(), 2_000, 'consumer lag refresh timed out').catch(
      (err: unknown) => o.log.debug({ err }, 'consumer lag not refreshed'),
    );
    reply.header('content-type', o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });
}
