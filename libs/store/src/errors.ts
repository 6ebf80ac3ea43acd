/** A unique index (or `_id`) already holds this key. MongoDB code 11000. */
export class DuplicateKeyError extends Error {
  readonly code = 11000;
  constructor(
    readonly collection: string,
    readonly index: string,
    readonly key: Record<string, unknown>,
  ) {
    super(`duplicate key in ${collection} index ${index}: ${JSON.stringify(key)}`);
    this.name = 'DuplicateKeyError';
  }
}

/**
 * The error taxonomy shared by the store and bus adapters and their callers: a TransientError says
 * "the same operation may succeed later, nothing is wrong with the input" (store or broker
 * unavailable, write conflict, timeout). Consumers retry those for as long as it takes; everything
 * else (invalid input, a handler bug) is not retried forever. Adapters map their drivers' errors onto
 * it (see mongo/helpers.ts mapMongoError, events' kafka adapter), so callers test one thing:
 * `isTransientError(err)`.
 */
export class TransientError extends Error {
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** A concurrent transaction touched the same documents; the whole transaction may be retried. */
export class TransientTransactionError extends TransientError {
  constructor(message = 'transient transaction conflict', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientTransactionError';
  }
}

/** The store cannot be reached (no primary, network error, server selection timeout, injected outage). */
export class StoreUnavailableError extends TransientError {
  constructor(message = 'store unavailable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** An operation ran out of time; its outcome may or may not have been applied (retry idempotently). */
export class OperationTimeoutError extends TransientError {
  constructor(message = 'operation timed out', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationTimeoutError';
  }
}

/**
 * True for errors worth retrying unchanged later. Also recognises errors from other packages that
 * carry `transient: true` (a bus adapter's), and follows `cause` one level (an app error wrapping a
 * store outage is still an outage).
 */
export function isTransientError(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { transient?: unknown }).transient === true) return true;
  const cause = (err as { cause?: unknown }).cause;
  return (
    typeof cause === 'object' &&
    cause !== null &&
    (cause instanceof TransientError || (cause as { transient?: unknown }).transient === true)
  );
}

/** A startup problem the operator must fix (bad URL, wrong topology): printed as one line, no stack. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export class StoreClosedError extends Error {
  constructor() {
    super('store is closed');
    this.name = 'StoreClosedError';
  }
}

export class StoreNotInitialisedError extends Error {
  constructor() {
    super('store is not initialised: await store.init() first');
    this.name = 'StoreNotInitialisedError';
  }
}

/** A page cursor that was not produced by `page()` for the same sort order (a client error: 400). */
export class InvalidCursorError extends Error {
  constructor(message = 'invalid page cursor') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

export function isDuplicateKeyError(err: unknown): err is { code: 11000 } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
