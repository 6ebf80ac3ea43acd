import Fastify, { LogController, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App } from './app';
import type { Logger } from 'pino';
import type { DocumentStore } from '@omni/store';
import { newId } from '@omni/store';
import type { EventBus, Subscription } from '@omni/events';
import { registerAdmission, type Admission } from './admission';
import { AuditLog } from './audit';
import { exportAuditAsEvents } from './audit-export';
import { ServiceEvents } from './events';
import { Authenticator, authorize, type Permission, type Principal, type Scope } from './auth';
import { registerDocs } from './docs';
import { GrpcServer } from './grpc';
import { registerProblemHandler } from './http';
import { registerAuthHooks } from './http-auth';
import { registerTracingHooks } from './http-tracing';
import { registerIdempotency } from './idempotency';
import { createLogger, redactUrl } from './logger';
import { Metrics } from './metrics';
import { Jobs } from './jobs';
import { registerOpsRoutes, type LivenessCheck, type ReadinessCheck } from './ops-routes';
import { subscribeRevocations } from './revocations';
import type { ServiceOptions } from './service-options';
import { withTimeout } from './timeout';
import { strictValidatorCompiler } from './validation';

// The service is assembled from one file per concern: options (service-options.ts), request
// tracing (http-tracing.ts), authentication hooks (http-auth.ts), OpenAPI docs (docs.ts), ops
// routes (ops-routes.ts), audit export (audit-export.ts) and signal handling (signals.ts).
export type { App };
export type { ServiceOptions, ServiceDeps, GrpcServiceDeps } from './service-options';
export { serviceOptionsFrom } from './service-options';
export type { ReadinessCheck, LivenessCheck } from './ops-routes';
export { stopOnSignals } from './signals';

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
  /** Overload admission at the edge: in-flight requests and the loop-delay probe. */
  readonly admission: Admission;

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
    exportAuditAsEvents(this.audit, this.events, opts.name);
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

    registerTracingHooks(this.app, this.name, this.metrics);
    // Before authentication: refusing an overloaded request must cost next to nothing.
    this.admission = registerAdmission(this.app, this.metrics, opts.admission);
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
    registerAuthHooks(this.app, this.authenticator);
    this.idempotency = registerIdempotency(this.app, { store: opts.store });
    registerDocs(this.app, opts);
    registerOpsRoutes(this.app, {
      name: opts.name,
      version: opts.version,
      state: () => this.state,
      checks: this.checks,
      liveness: this.liveness,
      audit: this.audit,
      events: this.events,
      metrics: this.metrics,
      log: this.log,
    });
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
  /** The same gRPC server for callers in this process, without a socket (`in-process:<name>`). */
  get grpcInProcessAddress(): string {
    const address = this.grpc.inProcessAddress;
    if (!address) throw new Error(`${this.name} serves no gRPC (not started, or grpc disabled)`);
    return address;
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
    this.admission.start();
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
    this.admission.stop();
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
