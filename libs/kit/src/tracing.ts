import {
  context,
  propagation,
  trace,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * Tracing is set up once per process (the embedded runtime hosts every service in one process).
 * Spans are always created — so every log line carries a trace id — and exported only when an OTLP
 * endpoint is configured or a test adds an exporter.
 *
 * HTTP and gRPC spans are made by the kit itself at the boundaries it owns (Fastify hooks, the gRPC
 * helpers) and the bus propagates `traceparent` inside the CloudEvent, so a trace crosses
 * storefront → orders → inventory → outbox → bus → consumer whatever the module system. The kafkajs
 * and mongoose instrumentations add driver-level spans where those libraries are loaded through
 * `require` (see loadInstrumented in the adapters).
 */

class DynamicSpanProcessor implements SpanProcessor {
  readonly processors: SpanProcessor[] = [];
  onStart(span: Parameters<SpanProcessor['onStart']>[0], ctx: Context): void {
    for (const p of this.processors) p.onStart(span, ctx);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

let provider: NodeTracerProvider | undefined;
const dynamic = new DynamicSpanProcessor();

export interface TracingOptions {
  /** Process-level service name (the runtime uses "omni"); each service also tags its spans. */
  serviceName: string;
  otlpEndpoint?: string;
}

export function initTracing(opts: TracingOptions): void {
  if (provider) return;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName }),
    spanProcessors: [dynamic],
  });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager(),
    propagator: new W3CTraceContextPropagator(),
  });
  if (opts.otlpEndpoint) {
    const url = opts.otlpEndpoint.replace(/\/$/, '') + '/v1/traces';
    dynamic.processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  registerInstrumentations({
    instrumentations: [new KafkaJsInstrumentation(), new MongooseInstrumentation()],
  });
}

/** Adds an exporter (tests use an InMemorySpanExporter with a SimpleSpanProcessor). */
export function addSpanProcessor(processor: SpanProcessor): () => void {
  dynamic.processors.push(processor);
  return () => {
    const i = dynamic.processors.indexOf(processor);
    if (i >= 0) dynamic.processors.splice(i, 1);
  };
}

export type { SpanExporter };

export async function shutdownTracing(): Promise<void> {
  await provider?.forceFlush();
}

export function tracer(name: string) {
  return trace.getTracer(name);
}

/** Context carried in W3C `traceparent`/`tracestate` headers or metadata. */
export function extractContext(carrier: Record<string, unknown>): Context {
  return propagation.extract(context.active(), carrier, {
    get: (c, key) => {
      const v = (c as Record<string, unknown>)[key];
      return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
    },
    keys: (c) => Object.keys(c as Record<string, unknown>),
  });
}

export function injectContext(carrier: Record<string, string> = {}, ctx: Context = context.active()) {
  propagation.inject(ctx, carrier);
  return carrier;
}

export function currentTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const sc = span.spanContext();
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

/** Runs `fn` in a new active span; records the error and rethrows on failure. */
export async function withSpan<T>(
  tracerName: string,
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  opts: { kind?: SpanKind; parent?: Context } = {},
): Promise<T> {
  const parent = opts.parent ?? context.active();
  return trace
    .getTracer(tracerName)
    .startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes }, parent, async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    });
}
