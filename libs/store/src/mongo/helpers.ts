import { mongo } from 'mongoose';
import {
  DuplicateKeyError,
  StartupError,
  OperationTimeoutError,
  StoreUnavailableError,
  TransientTransactionError,
} from '../errors';
import { retryBudget, RetrySeries, type RetryBudget } from '../retry';
import { newId } from '../ids';
import type { Filter, Update } from '../port';

/**
 * Pure pieces of the MongoDB adapter, kept apart so they are unit-tested without a server: error
 * mapping, the transaction retry loop, upsert `_id`s and keyset-pagination filters.
 */

const TRANSIENT_LABEL = 'TransientTransactionError';
const UNKNOWN_COMMIT_LABEL = 'UnknownTransactionCommitResult';

function isMongoError(err: unknown): err is mongo.MongoError {
  return err instanceof mongo.MongoError;
}

/** True for errors after which the whole transaction may be run again. */
export function isTransientTransactionError(err: unknown): boolean {
  return (
    err instanceof TransientTransactionError || (isMongoError(err) && err.hasErrorLabel(TRANSIENT_LABEL))
  );
}

/** Index name from a server E11000 message ("... index: email_1 dup key: { ... }"). */
function duplicateIndexName(message: string): string {
  return /index: (\S+) dup key/.exec(message)?.[1] ?? 'unknown';
}

function withCause<E extends Error>(mapped: E, cause: unknown): E {
  (mapped as Error & { cause?: unknown }).cause = cause;
  return mapped;
}

/**
 * Maps driver errors to the port's errors: E11000 (single writes and bulk writes) → DuplicateKeyError,
 * anything labelled TransientTransactionError (or UnknownTransactionCommitResult) →
 * TransientTransactionError; network errors, server selection timeouts (no primary) and
 * not-primary/shutdown codes → StoreUnavailableError; operation timeouts → OperationTimeoutError.
 * The last three are TransientErrors: consumers retry them instead of dead-lettering. Others pass
 * unchanged.
 */
export function mapMongoError(err: unknown, collection: string): unknown {
  if (!isMongoError(err)) return err;
  const mapped = mapTransient(err);
  if (mapped) return mapped;
  const withKey = err as mongo.MongoError & {
    keyValue?: Record<string, unknown>;
    writeErrors?: Array<{ errmsg?: string; code?: number; err?: { keyValue?: Record<string, unknown> } }>;
  };
  if (err.code === 11000) {
    const first = withKey.writeErrors?.[0];
    const message = first?.errmsg ?? err.message;
    const key = withKey.keyValue ?? first?.err?.keyValue ?? {};
    const mapped = new DuplicateKeyError(collection, duplicateIndexName(message), key);
    (mapped as Error & { cause?: unknown }).cause = err;
    return mapped;
  }
  return err;
}

/** Server codes meaning "this node cannot serve you now" (step-down, shutdown, not primary). */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

function mapTransient(err: mongo.MongoError): Error | null {
  if (err.code === 11000) return null;
  if (err.hasErrorLabel(TRANSIENT_LABEL) || err.hasErrorLabel(UNKNOWN_COMMIT_LABEL))
    return withCause(new TransientTransactionError(err.message), err);
  if (err instanceof mongo.MongoServerSelectionError || err instanceof mongo.MongoNetworkError)
    return withCause(new StoreUnavailableError(`MongoDB unavailable: ${err.message}`), err);
  if (err instanceof mongo.MongoOperationTimeoutError || err.code === 50 /* MaxTimeMSExpired */)
    return withCause(new OperationTimeoutError(`MongoDB operation timed out: ${err.message}`), err);
  if (
    (typeof err.code === 'number' && UNAVAILABLE_CODES.has(err.code)) ||
    err.hasErrorLabel('RetryableWriteError')
  )
    return withCause(new StoreUnavailableError(`MongoDB unavailable: ${err.message}`), err);
  return null;
}

/** The part of a driver ClientSession the retry loop needs (so it can be tested with a fake). */
export interface TransactionSession {
  startTransaction(options?: mongo.TransactionOptions): void;
  commitTransaction(): Promise<unknown>;
  abortTransaction(): Promise<unknown>;
  inTransaction(): boolean;
}

export interface TransactionAttempt {
  /** Set when an operation of this attempt failed transiently: the attempt is lost whatever `fn` does. */
  doomed: boolean;
}

const TRANSACTION_OPTIONS: mongo.TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

async function abortQuietly(session: TransactionSession): Promise<void> {
  if (!session.inTransaction()) return;
  try {
    await session.abortTransaction();
  } catch {
    // The server aborts on its own after an error or a timeout; nothing more to do.
  }
}

/**
 * Commits, retrying the commit alone (with backoff, within the series' budget) while its outcome is
 * unknown — the driver's recommended loop; committing again is safe, the server dedupes it.
 */
async function commitWithRetry(session: TransactionSession, series: RetrySeries): Promise<void> {
  for (;;) {
    try {
      await session.commitTransaction();
      return;
    } catch (err) {
      const unknownResult = isMongoError(err) && err.hasErrorLabel(UNKNOWN_COMMIT_LABEL);
      if (!unknownResult || !(await series.next())) throw err;
    }
  }
}

/**
 * Runs `fn` in a transaction on `session`, retrying the whole attempt on TransientTransactionError
 * (write conflicts, primary step-downs) with jittered exponential backoff for a bounded time
 * (`budget`, default 5 s — see retry.ts; a number is read as an attempt cap within that time).
 * Written out instead of the driver's session.withTransaction(), which retries for up to 120 s.
 * Errors are mapped with `mapError` before they reach the caller.
 */
export async function runTransaction<R>(
  session: TransactionSession,
  fn: (attempt: TransactionAttempt) => Promise<R>,
  budget: number | Partial<RetryBudget> = {},
  mapError: (err: unknown) => unknown = (err) => err,
): Promise<R> {
  const series = new RetrySeries(
    typeof budget === 'number' ? retryBudget({ maxAttempts: budget }) : { ...retryBudget(), ...budget },
  );
  for (;;) {
    const attempt: TransactionAttempt = { doomed: false };
    session.startTransaction(TRANSACTION_OPTIONS);
    let result: R;
    try {
      result = await fn(attempt);
    } catch (err) {
      await abortQuietly(session);
      if ((attempt.doomed || isTransientTransactionError(err)) && (await series.next())) continue;
      throw mapError(err);
    }
    try {
      await commitWithRetry(session, series);
      return result;
    } catch (err) {
      await abortQuietly(session);
      if (isTransientTransactionError(err) && (await series.next())) continue;
      throw mapError(err);
    }
  }
}

/** Does the filter pin `_id` by equality (top level or inside $and)? Then an upsert takes it from there. */
function filterSetsId(filter: Filter): boolean {
  const id = filter._id;
  if (id !== undefined) {
    if (typeof id !== 'object' || id === null) return true;
    if ('$eq' in id) return true;
  }
  const and = filter.$and;
  return (
    Array.isArray(and) &&
    and.some((sub) => typeof sub === 'object' && sub !== null && filterSetsId(sub as Filter))
  );
}

function setsId(update: Update, op: string): boolean {
  const fields = update[op];
  return typeof fields === 'object' && fields !== null && '_id' in fields;
}

/**
 * The update to send for an upsert: when neither the filter nor the update decides `_id`, adds a
 * string `_id` via $setOnInsert, so MongoDB never invents an ObjectId (ids are strings here).
 */
export function withUpsertId(filter: Filter, update: Update): Update {
  if (filterSetsId(filter) || setsId(update, '$set') || setsId(update, '$setOnInsert')) return update;
  const onInsert = (update.$setOnInsert as Record<string, unknown> | undefined) ?? {};
  return { ...update, $setOnInsert: { ...onInsert, _id: newId() } };
}

/** Filter selecting what comes after the cursor in (field, _id) order; null/missing sort lowest. */
export function keysetFilter(field: string, direction: 1 | -1, value: unknown, id: string): Filter {
  const idAfter = { _id: { [direction === 1 ? '$gt' : '$lt']: id } };
  if (field === '_id') return idAfter;
  if (value === null || value === undefined) {
    return direction === 1
      ? { $or: [{ [field]: null, ...idAfter }, { [field]: { $ne: null } }] }
      : { [field]: null, ...idAfter };
  }
  const after: Filter[] = [
    { [field]: { [direction === 1 ? '$gt' : '$lt']: value } },
    { [field]: value, ...idAfter },
  ];
  if (direction === -1) after.push({ [field]: null });
  return { $or: after };
}

/** The part of the `hello` command's reply that tells the topology. */
export interface HelloReply {
  setName?: string;
  msg?: string;
}

/**
 * Transactions and change streams need a replica set (or a sharded cluster, `msg: 'isdbgrid'`): a
 * standalone mongod is refused at startup, in one line, rather than on the first transaction.
 */
export function topologyRefusal(hello: HelloReply, variable: string, where: string): StartupError | null {
  if (hello.setName || hello.msg === 'isdbgrid') return null;
  return new StartupError(
    `${variable}: ${where} is a standalone mongod; Omni needs a replica set (transactions, change streams) — start mongod with --replSet and run rs.initiate(), or point ${variable} at the replica set`,
  );
}
