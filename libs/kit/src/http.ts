import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './app';
import { MAX_LISTED_ERRORS } from './validation';
import {
  AppError,
  BadRequestError,
  ForbiddenError,
  type FieldError,
  toProblem,
  transientAsUnavailable,
} from './errors';

/** Renders every error as RFC 9457 problem+json; never leaks stack traces or internals. */
export function registerProblemHandler(
  app: App,
  onDenied?: (req: FastifyRequest, err: ForbiddenError) => void,
): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    const appErr = toAppError(transientAsUnavailable(err) as Error);
    if (appErr.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ problem: appErr.slug, status: appErr.status }, appErr.detail ?? appErr.title);
    if (appErr instanceof ForbiddenError && onDenied) onDenied(req, appErr);
    sendProblem(reply, appErr, req.url);
  });
  app.setNotFoundHandler((req, reply) => {
    sendProblem(
      reply,
      new AppError(404, 'route-not-found', 'Not found', {
        detail: `No route ${req.method} ${req.url.split('?')[0]}`,
      }),
      req.url,
    );
  });
}

export function sendProblem(reply: FastifyReply, err: AppError, instance?: string): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply
    .code(err.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(JSON.stringify(toProblem(err, instance?.split('?')[0])));
}

function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & {
    validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>;
    validationContext?: string;
  };
  if (fe.validation) {
    const where = fe.validationContext ?? 'body';
    // Listing is capped: a body of 400,000 bad items must not become a 20 MB answer.
    const errors: FieldError[] = fe.validation.slice(0, MAX_LISTED_ERRORS).map((v) => {
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      const path = v.instancePath + (missing ? `/${missing}` : extra ? `/${extra}` : '');
      return { field: `${where}${path}`, message: extra ? 'is not allowed' : (v.message ?? 'is invalid') };
    });
    const err = new BadRequestError(`The ${where} is not valid`, errors);
    err.extensions.errorCount = fe.validation.length;
    return err;
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'payload-too-large', 'Payload too large', {
        detail: 'The request body exceeds the size limit',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported-media-type', 'Unsupported media type', {
        detail: 'Send application/json',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BadRequestError('The JSON body is empty', [], 'malformed-json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new BadRequestError('The body is not valid JSON', [], 'malformed-json');
  }
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new BadRequestError('The body is not valid JSON', [], 'malformed-json');
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500)
    return new AppError(status, 'bad-request', 'Bad request', { detail: fe.message });
  return new AppError(500, 'internal', 'Internal error', { detail: 'An unexpected error occurred' });
}
