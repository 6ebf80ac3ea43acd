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

/** A concurrent transaction touched the same documents; the whole transaction may be retried. */
export class TransientTransactionError extends Error {
  constructor(message = 'transient transaction conflict') {
    super(message);
    this.name = 'TransientTransactionError';
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
