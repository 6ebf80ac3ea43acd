import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { App } from './app';
import { redactUrl } from './logger';
import type { Metrics } from './metrics';
import { extractContext } from './tracing';

/** One server span per request (with trace and request ids in the response), its duration metric and its log line. */
export function registerTracingHooks(app: App, name: string, metrics: Metrics): void {
  const tracer = trace.getTracer(`omni-${name}`);
  // Callback-style hook: `done` runs inside the span's context, so every later hook, the handler
  // and the log lines they write belong to the request's trace.
  app.addHook('onRequest', (req, reply, done) => {
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
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.httpDuration.observe(
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
