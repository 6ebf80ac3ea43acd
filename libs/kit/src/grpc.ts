import * as grpc from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Authenticator, Principal } from './auth';
import { AppError, DeadlineExceededError, transientAsUnavailable, UnavailableError } from './errors';
import type { Metrics } from './metrics';
import { callInProcess, isInProcessAddress, registerInProcess, unregisterInProcess } from './grpc-in-process';
import { extractContext } from './tracing';

/**
 * gRPC on @grpc/grpc-js for "the caller needs the answer now" calls (reserve stock at checkout,
 * price lookup). Handlers are plain async functions; the helper does auth from metadata, trace
 * propagation, deadlines, metrics, and maps domain errors to status codes — and back on the client,
 * so a NotFoundError thrown in inventory arrives as a NotFoundError-like AppError in orders.
 */

const STATUS_BY_HTTP: Record<number, grpc.status> = {
  400: grpc.status.INVALID_ARGUMENT,
  401: grpc.status.UNAUTHENTICATED,
  403: grpc.status.PERMISSION_DENIED,
  404: grpc.status.NOT_FOUND,
  409: grpc.status.ABORTED,
  412: grpc.status.FAILED_PRECONDITION,
  422: grpc.status.FAILED_PRECONDITION,
  429: grpc.status.RESOURCE_EXHAUSTED,
  503: grpc.status.UNAVAILABLE,
  504: grpc.status.DEADLINE_EXCEEDED,
};

const HTTP_BY_STATUS: Partial<Record<grpc.status, number>> = {
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.UNAUTHENTICATED]: 401,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.ALREADY_EXISTS]: 409,
  [grpc.status.ABORTED]: 409,
  [grpc.status.FAILED_PRECONDITION]: 422,
  [grpc.status.RESOURCE_EXHAUSTED]: 429,
  [grpc.status.UNAVAILABLE]: 503,
  [grpc.status.DEADLINE_EXCEEDED]: 504,
};

export function grpcStatusFor(err: unknown): grpc.status {
  if (err instanceof AppError) return STATUS_BY_HTTP[err.status] ?? grpc.status.UNKNOWN;
  return grpc.status.INTERNAL;
}

type MethodTypes<M> = M extends grpc.MethodDefinition<infer Req, infer Res> ? [Req, Res] : never;

export interface GrpcCallContext {
  principal: Principal | null;
  metadata: grpc.Metadata;
  deadline: grpc.Deadline;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  log: Logger;
}

export type UnaryHandlers<D> = {
  [K in keyof D]: (request: MethodTypes<D[K]>[0], ctx: GrpcCallContext) => Promise<MethodTypes<D[K]>[1]>;
};

export interface GrpcServerOptions {
  service: string;
  log: Logger;
  metrics: Metrics;
  authenticator: Authenticator;
}

/** One call as the server core sees it, whichever transport brought it. */
export interface InboundCall {
  request: unknown;
  metadata: grpc.Metadata;
  deadline: grpc.Deadline;
  /** Registers what to do when the caller gives up (deadline passed, client cancelled). */
  onCancel(cb: () => void): void;
}

export type UnaryOutcome =
  | { ok: true; response: unknown }
  | { ok: false; error: { code: grpc.status; details: string; metadata: grpc.Metadata } };

export interface UnaryInvoker {
  method: grpc.MethodDefinition<unknown, unknown>;
  invoke(call: InboundCall): Promise<UnaryOutcome>;
}

export class GrpcServer {
  readonly server = new grpc.Server({
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
  });
  private port = 0;
  private services = 0;
  private readonly invokers = new Map<string, UnaryInvoker>();
  private inProcessName: string | null = null;

  constructor(private readonly opts: GrpcServerOptions) {}

  get hasServices(): boolean {
    return this.services > 0;
  }
  get boundPort(): number {
    return this.port;
  }

  add<D extends grpc.ServiceDefinition>(definition: D, handlers: UnaryHandlers<D>): void {
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(definition)) {
      const handler = (handlers as Record<string, (req: unknown, ctx: GrpcCallContext) => Promise<unknown>>)[
        name
      ];
      if (!handler) throw new Error(`gRPC handler ${name} missing for ${method.path}`);
      if (method.requestStream || method.responseStream)
        throw new Error(`${method.path}: only unary calls are supported`);
      const invoke = this.core(method.path, handler);
      this.invokers.set(method.path, { method, invoke });
      impl[name] = this.wrap(method.path, invoke);
    }
    this.server.addService(definition, impl);
    this.services++;
  }

  /** The transport-neutral call: what both the socket server and the in-process channel run. */
  invoker(path: string): UnaryInvoker | undefined {
    return this.invokers.get(path);
  }

  private wrap(path: string, invoke: UnaryInvoker['invoke']): grpc.handleUnaryCall<unknown, unknown> {
    return (call, callback) => {
      void invoke({
        request: call.request,
        metadata: call.metadata,
        deadline: call.getDeadline(),
        onCancel: (cb) => call.on('cancelled', cb),
      }).then((outcome) => (outcome.ok ? callback(null, outcome.response) : callback(outcome.error)));
    };
  }

  private core(
    path: string,
    handler: (req: unknown, ctx: GrpcCallContext) => Promise<unknown>,
  ): UnaryInvoker['invoke'] {
    const { log, metrics, authenticator } = this.opts;
    const tracer = trace.getTracer(`omni-${this.opts.service}`);
    return (call) => {
      const started = performance.now();
      const md = call.metadata.getMap();
      const parent = extractContext(md as Record<string, unknown>);
      const span = tracer.startSpan(
        path,
        { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.method': path } },
        parent,
      );
      const controller = new AbortController();
      // grpc-js also emits 'cancelled' after a call that was answered; only a cancel before the
      // answer (client gave up, deadline passed) should abort the handler.
      let answered = false;
      call.onCancel(() => {
        if (!answered) controller.abort(new DeadlineExceededError(`${path} cancelled`));
      });
      const finish = (code: grpc.status, err?: unknown) => {
        answered = true;
        metrics.grpcDuration.observe(
          { method: path, code: grpc.status[code] },
          (performance.now() - started) / 1000,
        );
        span.setAttribute('rpc.grpc.status_code', code);
        if (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        }
        span.end();
      };
      return context.with(trace.setSpan(parent, span), async (): Promise<UnaryOutcome> => {
        try {
          const auth = md.authorization;
          const token = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
          const principal = token ? await authenticator.verify(token) : null;
          const response = await handler(call.request, {
            principal,
            metadata: call.metadata,
            deadline: call.deadline,
            signal: controller.signal,
            log,
          });
          finish(grpc.status.OK);
          return { ok: true, response };
        } catch (thrown) {
          const err = transientAsUnavailable(thrown);
          const code = grpcStatusFor(err);
          const metadata = new grpc.Metadata();
          let details = 'internal error';
          if (err instanceof AppError) {
            details = err.detail ?? err.title;
            metadata.set(
              'omni-problem',
              JSON.stringify({
                status: err.status,
                slug: err.slug,
                title: err.title,
                extensions: err.extensions,
              }),
            );
          } else {
            log.error({ err, method: path }, 'gRPC handler failed');
          }
          finish(code, err);
          return { ok: false, error: { code, details, metadata } };
        }
      });
    };
  }

  async listen(host: string, port: number): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.inProcessName = registerInProcess(`${this.opts.service}-${this.port}`, this);
    return this.port;
  }

  /**
   * The address under which callers in this process reach the server without a socket
   * (`in-process:<name>`, see grpc-in-process.ts); null before listen and after close.
   */
  get inProcessAddress(): string | null {
    return this.inProcessName;
  }

  /** Lets in-flight calls finish (up to timeoutMs), then forces. */
  async close(timeoutMs: number): Promise<void> {
    if (this.inProcessName) unregisterInProcess(this.inProcessName, this);
    this.inProcessName = null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export type PromiseClient<D> = {
  [K in keyof D]: (
    request: MethodTypes<D[K]>[0],
    opts?: { deadlineMs?: number },
  ) => Promise<MethodTypes<D[K]>[1]>;
} & { close(): void };

export interface GrpcClientOptions {
  /** Bearer token for service-to-service calls (fetched per call so rotation works). */
  token?: () => string | Promise<string>;
  /** Default deadline per call. */
  deadlineMs?: number;
}

/**
 * A promise-based client for a ts-proto grpc-js service definition. `address` is `host:port`
 * (http2 over a socket) or `in-process:<name>` (a server in this process, see grpc-in-process.ts:
 * same codecs, metadata, deadlines and status codes, no socket).
 */
export function createGrpcClient<D extends grpc.ServiceDefinition>(
  definition: D,
  address: string,
  opts: GrpcClientOptions = {},
): PromiseClient<D> {
  const client = isInProcessAddress(address)
    ? null
    : new grpc.Client(address, grpc.credentials.createInsecure(), {
        'grpc.keepalive_time_ms': 30_000,
      });
  const tracer = trace.getTracer('omni-grpc-client');
  const out: Record<string, unknown> = { close: () => client?.close() };
  for (const [name, m] of Object.entries(definition)) {
    const method = m as grpc.MethodDefinition<unknown, unknown>;
    out[name] = async (request: unknown, callOpts: { deadlineMs?: number } = {}) => {
      const metadata = new grpc.Metadata();
      if (opts.token) metadata.set('authorization', `Bearer ${await opts.token()}`);
      const deadlineMs = callOpts.deadlineMs ?? opts.deadlineMs ?? 5_000;
      return tracer.startActiveSpan(
        method.path,
        { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.method': method.path } },
        async (span) => {
          const carrier: Record<string, string> = {};
          propagation.inject(context.active(), carrier);
          for (const [k, v] of Object.entries(carrier)) metadata.set(k, v);
          try {
            if (!client) {
              return await callInProcess(address, method, request, metadata, deadlineMs).catch(
                (err: grpc.ServiceError) => {
                  throw fromServiceError(err, method.path);
                },
              );
            }
            return await new Promise<unknown>((resolve, reject) => {
              client.makeUnaryRequest(
                method.path,
                method.requestSerialize,
                method.responseDeserialize,
                request,
                metadata,
                { deadline: Date.now() + deadlineMs },
                (err, res) => (err ? reject(fromServiceError(err, method.path)) : resolve(res)),
              );
            });
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    };
  }
  return out as PromiseClient<D>;
}

/** Turns a gRPC error back into the domain error the server threw (or the closest generic one). */
export function fromServiceError(err: grpc.ServiceError, path: string): AppError {
  const raw = err.metadata?.get('omni-problem')[0];
  if (typeof raw === 'string') {
    try {
      const p = JSON.parse(raw) as {
        status: number;
        slug: string;
        title: string;
        extensions?: Record<string, unknown>;
      };
      return new AppError(p.status, p.slug, p.title, {
        detail: err.details,
        extensions: p.extensions ?? {},
        cause: err,
      });
    } catch {
      // fall through to the generic mapping
    }
  }
  if (err.code === grpc.status.DEADLINE_EXCEEDED)
    return new DeadlineExceededError(`${path}: deadline exceeded`);
  if (err.code === grpc.status.UNAVAILABLE)
    return new UnavailableError(`${path}: ${err.details || 'unavailable'}`);
  const status = HTTP_BY_STATUS[err.code as grpc.status] ?? 502;
  return new AppError(status, status === 502 ? 'upstream-failed' : 'upstream-error', 'Upstream call failed', {
    detail: `${path}: ${err.details}`,
    cause: err,
  });
}
