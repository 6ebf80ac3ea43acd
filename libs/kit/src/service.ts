import Fastify, { LogController, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App } from './app';
import { Type } from 'typebox';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Logger, LevelWithSilent, DestinationStream } from 'pino';
import type { DocumentStore } from '@omni/store';
import { newId } from '@omni/store';
import { toAsyncApi, type EventBus } from '@omni/events';
import { AuditRecorded } from '@omni/contracts';
import { AuditLog } from './audit';
import { ServiceEvents } from './events';
import {
  Authenticator,
  authorize,
  bearerToken,
  type AuthenticatorOptions,
  type Permission,
  type Principal,
  type Scope,
} from './auth';
import { BadRequestError, UnauthorizedError, UnavailableError } from './errors';
import { GrpcServer } from './grpc';
import { registerProblemHandler } from './http';
import { registerIdempotency } from './idempotency';
import { createLogger, redactUrl } from './logger';
import { Metrics } from './metrics';
import { Jobs } from './jobs';
import { subscribeRevocations } from './revocations';
import type { Subscription } from '@omni/events';
import { extractContext } from './tracing';
import { strictValidatorCompiler } from './validation';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    span?: Span;
  }
  interface FastifyContextConfig {
    /** Permission the route requires (checked after authentication, before the body is parsed). */
    permission?: Permission;
    /** Scope the permission applies to, from path params (e.g. the store id). */
    scope?: (req: FastifyRequest) => Scope;
    /** false: Idempotency-Key is ignored here (responses carry secrets that must never be stored). */
    idempotency?: boolean;
    /**
     * true: anyone may send this route a body (e.g. sign-in). Otherwise a POST/PUT/PATCH/DELETE route
     * without a `permission` still needs a valid token, checked before its body is read.
     */
    public?: boolean;
  }
}

export type { App };

export interface ServiceOptions {
  name: string;
  version?: string;
  description?: string;
  http?: { host?: string; port?: number };
  /** gRPC listener; `false` for a service without gRPC. */
  grpc?: { host?: string; port?: number } | false;
  store: DocumentStore;
  bus: EventBus;
  /** Close the store/bus on stop (false when shared, e.g. the embedded runtime's single bus). */
  ownsStore?: boolean;
  ownsBus?: boolean;
  auth: AuthenticatorOptions | Authenticator;
  logLevel?: LevelWithSilent;
  logDestination?: DestinationStream;
  bodyLimit?: number;
  shutdownTimeoutMs?: number;
  /** A consumer handler or relay round in flight this long, or pending events untouched this long, is dead (/livez). Default 120 s. */
  livenessStallMs?: number;
}

/**
 * What every service's build function takes; services extend it with their own settings. The
 * embedded runtime, the standalone main.ts and the tests all build services from these.
 */
export interface ServiceDeps {
  /** The service's own store (never shared with another service). */
  store: DocumentStore;
  bus: EventBus;
  auth: AuthenticatorOptions | Authenticator;
  http?: { host?: string; port?: number };
  logLevel?: LevelWithSilent;
  logDestination?: DestinationStream;
  /** False when the bus (or store) is shared, as in the embedded runtime; default true. */
  ownsBus?: boolean;
  ownsStore?: boolean;
  /** Time source (tests move it instead of sleeping). Default: the system clock. */
  clock?: () => Date;
}

/** ServiceDeps of a service that also serves gRPC (`false` to run without the listener). */
export interface GrpcServiceDeps extends ServiceDeps {
  grpc?: { host?: string; port?: number } | false;
}

/**
 * The service options a build function forwards from its deps: one place, so no service forgets
 * one (a copy per service had already dropped logDestination in one of them).
 */
export function serviceOptionsFrom(deps: GrpcServiceDeps): Omit<ServiceOptions, 'name'> {
  const { store, bus, auth, http, grpc, logLevel, logDestination, ownsBus, ownsStore } = deps;
  return { store, bus, auth, http, grpc, logLevel, logDestination, ownsBus, ownsStore };
}

export type ReadinessCheck = () => Promise<void>;
export type LivenessCheck = () => Promise<string[]> | string[];

/**
 * Everything a service needs to start, built once: Fastify with logging, validation, problem+json,
 * auth, idempotency, audit, health, metrics, OpenAPI at /docs; a gRPC server; lifecycle hooks for
 * background work (consumers, relays, timers) with graceful shutdown in reverse order.
 */
export class Service {
  readonly name: string;
  readonly log: Logger;
  readonly app: App;
  readonly metrics: Metrics;
  readonly authenticator: Authenticator;
  readonly audit: AuditLog;
  readonly grpc: GrpcServer;
  readonly store: DocumentStore;
  readonly bus: EventBus;
  readonly events: ServiceEvents;
  /** Background jobs (lease-owned or per replica), started with the service and stopped before it. */
  readonly jobs: Jobs;
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly startHooks: Array<() => Promise<void>> = [];
  private readonly stopHooks: Array<() => Promise<void>> = [];
  private readonly ownsAuthenticator: boolean;
  private state: 'created' | 'starting' | 'ready' | 'stopping' | 'stopped' = 'created';
  private ports = { http: 0, grpc: 0 };
  private revocationFeed?: Subscription;
  private readonly liveness = new Map<string, LivenessCheck>();
  private readonly idempotency: { sweep(): Promise<number> };

  constructor(private readonly opts: ServiceOptions) {
    this.name = opts.name;
    this.store = opts.store;
    this.bus = opts.bus;
    this.log = createLogger({ service: opts.name, level: opts.logLevel, destination: opts.logDestination });
    this.metrics = new Metrics(opts.name);
    // The bus adapter logs (Kafka errors, rebalances, crashes) through this service's logger
    // unless it was given one; a shared bus keeps the one it has.
    if (opts.ownsBus !== false) opts.bus.adoptLogger?.(this.log);
    // A service handed an Authenticator shares it with whoever built it (the embedded runtime,
    // identity), and that builder feeds its revocations. Built here from options (every main.ts),
    // its revocation list is fed from identity's events by this service itself, see start().
    this.ownsAuthenticator = !(opts.auth instanceof Authenticator);
    this.authenticator = opts.auth instanceof Authenticator ? opts.auth : new Authenticator(opts.auth);
    this.audit = new AuditLog(opts.store, opts.name);
    this.events = new ServiceEvents({
      service: opts.name,
      store: opts.store,
      bus: opts.bus,
      log: this.log,
      metrics: this.metrics,
    });
    // Every audit entry is also exported as an event (same transaction), so ops query them in one place.
    this.audit.exportWith(async (entry, session) => {
      await this.events.publish(session, AuditRecorded, {
        subject: opts.name,
        data: {
          entryId: entry._id,
          at: entry.at,
          service: entry.service,
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          outcome: entry.outcome,
          ...(entry.ip ? { ip: entry.ip } : {}),
          ...(entry.requestId ? { requestId: entry.requestId } : {}),
          ...(entry.traceId ? { traceId: entry.traceId } : {}),
          ...(entry.details ? { details: entry.details } : {}),
        },
      });
    });
    this.jobs = new Jobs(opts.store, this.log, this.metrics);
    this.grpc = new GrpcServer({
      service: opts.name,
      log: this.log,
      metrics: this.metrics,
      authenticator: this.authenticator,
    });

    this.app = Fastify({
      loggerInstance: this.log,
      bodyLimit: opts.bodyLimit ?? 1024 * 1024,
      // One line per request is written by our onResponse hook (with route, status, duration).
      logController: new LogController({ disableRequestLogging: true }),
      requestIdHeader: 'x-request-id',
      genReqId: () => newId(),
      return503OnClosing: true,
    }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
    // Strict JSON bodies, coerced query strings and path params (see validation.ts).
    this.app.setValidatorCompiler(strictValidatorCompiler());

    this.setupTracingHooks();
    registerProblemHandler(this.app, (req, err) => {
      if (!req.principal) return;
      this.audit
        .record({
          actor: req.principal,
          action: 'access.denied',
          target: { type: 'route', id: `${req.method} ${req.routeOptions.url ?? redactUrl(req.url)}` },
          outcome: 'denied',
          ip: req.ip,
          requestId: req.id,
          details: { reason: err.detail },
        })
        .catch((e: unknown) => this.log.warn({ err: e }, 'audit of denied access failed'));
    });
    this.setupAuth();
    this.idempotency = registerIdempotency(this.app, { store: opts.store });
    this.setupDocs(opts);
    this.setupOpsRoutes();
    // Ready = can serve requests, which needs the store. The bus is not checked: the outbox rides
    // out a broker outage, and failing readiness on it would take every pod of every service out
    // of rotation at once, turning a degradation into an outage.
    this.addReadinessCheck('store', () => opts.store.ping());
    // Live = the background machinery is not dead (a crashed consumer or relay is only fixed by a restart).
    this.addLivenessCheck('events', () => this.events.deadParts(opts.livenessStallMs ?? 120_000));
    // Idempotency records of every replica are in the one store: one replica sweeps them.
    this.jobs.every({
      name: 'idempotency-sweep',
      everyMs: 10 * 60_000,
      owner: 'lease',
      run: () => this.idempotency.sweep(),
    });
  }

  private setupTracingHooks(): void {
    const tracer = trace.getTracer(`omni-${this.name}`);
    // Callback-style hook: `done` runs inside the span's context, so every later hook, the handler
    // and the log lines they write belong to the request's trace.
    this.app.addHook('onRequest', (req, reply, done) => {
      const parent = extractContext(req.headers as Record<string, unknown>);
      const span = tracer.startSpan(
        `${req.method} ${req.routeOptions.url ?? 'unknown'}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': req.method,
            'url.path': req.url.split('?')[0] ?? '',
            'http.route': req.routeOptions.url ?? '',
          },
        },
        parent,
      );
      req.span = span;
      reply.header('x-request-id', req.id);
      reply.header('x-trace-id', span.spanContext().traceId);
      context.with(trace.setSpan(parent, span), done);
    });
    this.app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unknown';
      this.metrics.httpDuration.observe(
        { method: req.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      req.log.info(
        {
          method: req.method,
          url: redactUrl(req.url),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
      if (req.span) {
        req.span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) req.span.setStatus({ code: SpanStatusCode.ERROR });
        req.span.end();
      }
    });
  }

  private setupAuth(): void {
    this.app.decorateRequest('principal', null);
    this.app.addHook('onRequest', async (req) => {
      const token = bearerToken(req.headers.authorization);
      req.principal = token ? await this.authenticator.verify(token) : null;
      const config = req.routeOptions.config;
      const permission = config?.permission;
      if (permission) authorize(req.principal, permission, config.scope?.(req) ?? {});
      // Authenticate before the body is read or validated: an anonymous caller must not make the
      // service parse and check a large bad body (routes that authorise in the handler included).
      else if (!req.principal && req.routeOptions.url && WRITE_METHODS.has(req.method) && !config?.public)
        throw new UnauthorizedError();
    });
    // A route that declares no body takes none: a body sent there is a client mistake (e.g. options
    // it believes are applied), not something to ignore silently. `{}` is tolerated as "nothing".
    this.app.addHook('preValidation', async (req) => {
      if (!WRITE_METHODS.has(req.method) || req.routeOptions.schema?.body || !req.routeOptions.url) return;
      if (!isEmptyBody(req.body))
        throw new BadRequestError('This route takes no request body', [
          { field: 'body', message: 'must be empty' },
        ]);
    });
    // Secured routes are documented as such.
    this.app.addHook('onRoute', (route) => {
      const permission = (route.config as { permission?: string } | undefined)?.permission;
      if (!permission) return;
      const schema = (route.schema ??= {}) as Record<string, unknown>;
      schema.security = [{ bearerAuth: [] }];
      const note = `Requires permission \`${permission}\`.`;
      schema.description = schema.description ? `${schema.description as string}\n\n${note}` : note;
    });
  }

  private setupDocs(opts: ServiceOptions): void {
    // Applied directly rather than through register(): services declare their routes right after
    // createService() returns, before avvio would load a registered plugin, and swagger collects
    // routes through an onRoute hook that must already exist then.
    const applySwagger = swagger as unknown as (
      app: App,
      o: Record<string, unknown>,
      done: (err?: Error) => void,
    ) => void;
    applySwagger(
      this.app,
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
    (this.app as unknown as Record<symbol, string[]>)[Symbol.for('registered-plugin')]?.push(
      '@fastify/swagger',
    );
    this.app.register(swaggerUi, { routePrefix: '/docs' });
  }

  private setupOpsRoutes(): void {
    const hide = { hide: true } as Record<string, unknown>;
    this.app.get('/livez', { schema: hide }, async () => {
      const dead: string[] = [];
      for (const [name, check] of this.liveness) {
        for (const part of await check()) dead.push(`${name}: ${part}`);
      }
      if (dead.length > 0) throw new UnavailableError(`not live: ${dead.join('; ')}`, 'not-live');
      return { status: 'ok' };
    });
    this.app.get('/readyz', { schema: hide }, async (_req, reply) => {
      if (this.state !== 'ready') throw new UnavailableError(`${this.name} is ${this.state}`, 'not-ready');
      const results: Record<string, string> = {};
      let ok = true;
      await Promise.all(
        [...this.checks].map(async ([name, check]) => {
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
    this.app.get(
      '/v1/audit',
      {
        config: { permission: 'audit:read' },
        schema: {
          description: `Audit log of privileged operations in the ${this.name} service, newest first.`,
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
        return this.audit.query(q, { limit, cursor });
      },
    );
    // The event catalogue of this service (what it produces and consumes), generated from the
    // same schemas the outbox and consumers validate with.
    this.app.get('/docs/asyncapi.json', { schema: hide }, async () =>
      toAsyncApi(this.events.registry, {
        title: `Omni ${this.name} events`,
        version: this.opts.version ?? '1.0.0',
      }),
    );
    this.app.get('/metrics', { schema: hide }, async (_req, reply) => {
      // Lag comes from the bus (a broker round trip on Kafka): bounded, and a scrape during a
      // broker outage still returns every other metric.
      await withTimeout(this.events.refreshMetrics(), 2_000, 'consumer lag refresh timed out').catch(
        (err: unknown) => this.log.debug({ err }, 'consumer lag not refreshed'),
      );
      reply.header('content-type', this.metrics.registry.contentType);
      return this.metrics.registry.metrics();
    });
  }

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }
  /** A part whose death only a restart cures: returns what is dead (empty when alive). */
  addLivenessCheck(name: string, check: LivenessCheck): void {
    this.liveness.set(name, check);
  }
  /** Background work started after the store is initialised and before traffic is accepted. */
  onStart(hook: () => Promise<void>): void {
    this.startHooks.push(hook);
  }
  /** Shutdown work; run in reverse registration order after HTTP and gRPC stopped taking requests. */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  get httpPort(): number {
    return this.ports.http;
  }
  get grpcPort(): number {
    return this.ports.grpc;
  }
  get url(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }
  get grpcAddress(): string {
    return `127.0.0.1:${this.ports.grpc}`;
  }

  async start(): Promise<this> {
    if (this.state !== 'created') throw new Error(`${this.name} already ${this.state}`);
    this.state = 'starting';
    await this.opts.store.init();
    await this.events.start();
    if (this.ownsAuthenticator) {
      // A group per instance: every replica must learn every revocation.
      this.revocationFeed = await subscribeRevocations(this.opts.bus, this.authenticator.revocations, {
        group: `${this.name}-revocations-${newId()}`,
        onInvalid: (reason) => this.log.warn({ reason }, 'skipped a revocation message'),
      });
    }
    for (const hook of this.startHooks) await hook();
    await this.app.listen({ host: this.opts.http?.host ?? '0.0.0.0', port: this.opts.http?.port ?? 0 });
    const addr = this.app.server.address();
    this.ports.http = typeof addr === 'object' && addr ? addr.port : 0;
    if (this.opts.grpc !== false && this.grpc.hasServices) {
      this.ports.grpc = await this.grpc.listen(this.opts.grpc?.host ?? '0.0.0.0', this.opts.grpc?.port ?? 0);
    }
    this.jobs.start();
    this.state = 'ready';
    this.log.info({ http: this.ports.http, grpc: this.ports.grpc || undefined }, `${this.name} ready`);
    return this;
  }

  /** Graceful: stop taking requests, drain in-flight ones, stop background work, close adapters. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    const timeout = this.opts.shutdownTimeoutMs ?? 15_000;
    // Drain in-flight requests; a client that never reads its response must not hold shutdown
    // forever, so whatever is still open after the timeout is cut.
    const cut = setTimeout(() => this.app.server.closeAllConnections(), timeout);
    await Promise.all([
      this.app.close(),
      this.grpc.hasServices ? this.grpc.close(timeout) : Promise.resolve(),
    ]);
    clearTimeout(cut);
    await this.jobs.stop();
    for (const hook of [...this.stopHooks].reverse()) {
      try {
        await withTimeout(hook(), timeout, 'stop hook timed out');
      } catch (err) {
        this.log.error({ err }, 'stop hook failed');
      }
    }
    await this.events.stop();
    await this.revocationFeed
      ?.close()
      .catch((err: unknown) => this.log.warn({ err }, 'revocation feed close failed'));
    if (this.opts.ownsStore !== false) await this.opts.store.close();
    if (this.opts.ownsBus !== false) await this.opts.bus.close();
    this.state = 'stopped';
    this.log.info(`${this.name} stopped`);
  }

  /** Helper for handlers that need a scope from the body: throws 401/403. */
  authorize(req: FastifyRequest, permission: Permission, scope?: Scope): Principal {
    return authorize(req.principal, permission, scope);
  }
}

export function createService(opts: ServiceOptions): Service {
  return new Service(opts);
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return false;
  return Object.keys(body).length === 0;
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Installs SIGTERM/SIGINT handlers that stop the given services gracefully, then exit. The whole
 * shutdown is bounded by `timeoutMs` (default OMNI_SHUTDOWN_TIMEOUT_MS, else 25 s: under the
 * Kubernetes default terminationGracePeriodSeconds of 30, so the process exits on its own terms
 * and logs why rather than being SIGKILLed mid-write).
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: Logger,
  opts: { timeoutMs?: number } = {},
): void {
  const timeoutMs = opts.timeoutMs ?? shutdownTimeoutFromEnv(process.env);
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}

function shutdownTimeoutFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.OMNI_SHUTDOWN_TIMEOUT_MS;
  if (!raw) return 25_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1)
    throw new Error(`OMNI_SHUTDOWN_TIMEOUT_MS must be a positive integer, got "${raw}"`);
  return ms;
}
