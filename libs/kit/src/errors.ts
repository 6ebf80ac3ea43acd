import { isTransientError } from '@omni/store';
/**
 * Domain errors. Services throw these; the HTTP layer renders them as RFC 9457 problem+json and the
 * gRPC layer maps them to status codes (and back, on the client side), so one error vocabulary
 * crosses every boundary.
 */

export const PROBLEM_BASE = 'https://omni.dev/problems/';

export interface FieldError {
  /** JSON pointer-ish path of the bad field, e.g. "/lines/0/qty" or "body.qty". */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  /** Extra members of the problem document (RFC 9457 extension members). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
  /** Response headers to set (e.g. Retry-After). */
  headers?: Record<string, string>;
}

export class AppError extends Error {
  /** 503 and 504 may pass: a consumer retries them (isTransientError) rather than dead-lettering. */
  get transient(): boolean {
    return this.status === 503 || this.status === 504;
  }

  readonly detail?: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    /** Stable slug; the problem `type` is PROBLEM_BASE + slug. */
    readonly slug: string,
    readonly title: string,
    opts: AppErrorOptions = {},
  ) {
    super(opts.detail ?? title, { cause: opts.cause });
    this.name = new.target.name;
    this.detail = opts.detail;
    this.extensions = opts.extensions ?? {};
    this.headers = opts.headers ?? {};
  }
  get type(): string {
    return PROBLEM_BASE + this.slug;
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, errors: FieldError[] = [], slug = 'validation-failed') {
    super(400, slug, 'Request is not valid', { detail, extensions: errors.length ? { errors } : {} });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid bearer token is required', slug = 'unauthenticated') {
    super(401, slug, 'Not authenticated', { detail, headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'Not allowed', slug = 'forbidden') {
    super(403, slug, 'Forbidden', { detail });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string, slug = 'not-found') {
    super(404, slug, 'Not found', {
      detail: id === undefined ? `${what} not found` : `${what} ${id} not found`,
    });
  }
}

/** The request conflicts with the current state (illegal transition, duplicate, version mismatch). */
export class ConflictError extends AppError {
  constructor(slug: string, detail: string, extensions?: Record<string, unknown>) {
    super(409, slug, 'Conflict', { detail, extensions });
  }
}

/** Well-formed but semantically impossible (insufficient stock, wrong pickup code, ...). */
export class UnprocessableError extends AppError {
  constructor(slug: string, detail: string, extensions?: Record<string, unknown>) {
    super(422, slug, 'Unprocessable request', { detail, extensions });
  }
}

export class TooManyRequestsError extends AppError {
  constructor(detail: string, retryAfterSeconds: number, slug = 'too-many-requests') {
    super(429, slug, 'Too many requests', { detail, headers: { 'retry-after': String(retryAfterSeconds) } });
  }
}

/**
 * A store/bus/upstream failure that may pass (the @omni/store `isTransientError` taxonomy) becomes
 * 503 with Retry-After, not a 500: the client should retry, nothing is wrong with its request, and
 * the request changed nothing (a failed transaction is rolled back). Other errors pass unchanged.
 */
export function transientAsUnavailable(err: unknown): unknown {
  if (err instanceof AppError || !isTransientError(err)) return err;
  const e = new UnavailableError('A dependency is temporarily unavailable; retry shortly');
  e.headers['retry-after'] = '1';
  return e;
}

export class UnavailableError extends AppError {
  constructor(detail: string, slug = 'unavailable') {
    super(503, slug, 'Service unavailable', { detail });
  }
}

export class DeadlineExceededError extends AppError {
  constructor(detail: string) {
    super(504, 'deadline-exceeded', 'Deadline exceeded', { detail });
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export function toProblem(err: AppError, instance?: string): ProblemDocument {
  return {
    ...err.extensions,
    type: err.type,
    title: err.title,
    status: err.status,
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    ...(instance !== undefined ? { instance } : {}),
  };
}
