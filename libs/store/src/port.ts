/**
 * The document-store port. Every service talks to its data through this interface only; it is
 * implemented by the MongoDB adapter (production) and the embedded adapter (npm start, tests) with
 * the same semantics, proven by the contract suite in test/contract.ts.
 *
 * Conventions
 * - `_id` is always a string chosen by the application (ULID/UUID or a natural key).
 * - Times are stored as ISO-8601 UTC strings (sortable, identical in both adapters and in the journal).
 * - Filters and updates use MongoDB query and update operators ($eq, $gte, $in, $and, $or, $elemMatch,
 *   $exists, $inc, $set, $unset, $push, $pull, $addToSet, $min, $max, ...).
 * - Documents returned are copies: mutating them never changes the store.
 */

export type Doc = { _id: string } & Record<string, unknown>;
export type Filter = Record<string, unknown>;
export type Update = Record<string, unknown>;
export type SortSpec = Record<string, 1 | -1>;

export interface IndexSpec {
  /** Fields of the index in order, 1 ascending / -1 descending. */
  keys: Record<string, 1 | -1>;
  unique?: boolean;
  /** Optional name; derived from the keys when absent (e.g. "sku_1_locationId_1"). */
  name?: string;
}

export interface CollectionSpec {
  name: string;
  indexes?: IndexSpec[];
}

/** A transaction handle. Pass it to every operation that belongs to the transaction. */
export interface Session {
  readonly id: string;
  readonly inTransaction: boolean;
}

export interface WriteOptions {
  session?: Session;
}

export interface FindOptions extends WriteOptions {
  sort?: SortSpec;
  limit?: number;
  skip?: number;
  /** Inclusion or exclusion projection, as in MongoDB. */
  projection?: Record<string, 0 | 1>;
}

export interface FindOneAndUpdateOptions extends WriteOptions {
  /** Insert when nothing matches (the equality fields of the filter seed the new document). */
  upsert?: boolean;
  /** Which version to return. Default "after". */
  returnDocument?: 'before' | 'after';
  sort?: SortSpec;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedId?: string;
}

export interface PageOptions extends WriteOptions {
  /** Max items in the page (1..1000). */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string | null;
  /**
   * Field to order by; must be unique together with `_id` (ties are broken by `_id`).
   * Default `_id`. Its values should all be of one type (ISO time strings, numbers, ...); null or
   * missing sorts first. MongoDB's keyset `$gt`/`$lt` compare within one type only.
   */
  sortField?: string;
  direction?: 1 | -1;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page, or null when this is the last page. */
  nextCursor: string | null;
}

export interface Collection<T extends Doc = Doc> {
  readonly name: string;
  /** Throws DuplicateKeyError on a unique index violation (including `_id`). */
  insertOne(doc: T, opts?: WriteOptions): Promise<T>;
  /** All-or-nothing when given a session; otherwise ordered, stops at the first error. */
  insertMany(docs: T[], opts?: WriteOptions): Promise<void>;
  findOne(filter: Filter, opts?: FindOptions): Promise<T | null>;
  findById(id: string, opts?: FindOptions): Promise<T | null>;
  find(filter: Filter, opts?: FindOptions): Promise<T[]>;
  countDocuments(filter: Filter, opts?: WriteOptions): Promise<number>;
  /**
   * Atomic conditional update: the filter is evaluated and the update applied as one step, so
   * `findOneAndUpdate({_id, available: {$gte: n}}, {$inc: {available: -n}})` can never oversell,
   * whatever the concurrency. Returns null when nothing matched (and no upsert).
   */
  findOneAndUpdate(filter: Filter, update: Update, opts?: FindOneAndUpdateOptions): Promise<T | null>;
  updateOne(
    filter: Filter,
    update: Update,
    opts?: WriteOptions & { upsert?: boolean },
  ): Promise<UpdateResult>;
  updateMany(filter: Filter, update: Update, opts?: WriteOptions): Promise<UpdateResult>;
  /** Replaces the whole document with `_id` equal to doc._id (upsert when asked). */
  replaceOne(filter: Filter, doc: T, opts?: WriteOptions & { upsert?: boolean }): Promise<UpdateResult>;
  deleteOne(filter: Filter, opts?: WriteOptions): Promise<number>;
  deleteMany(filter: Filter, opts?: WriteOptions): Promise<number>;
  /** Cursor (keyset) pagination over `filter`, ordered by `sortField` then `_id`. */
  page(filter: Filter, opts: PageOptions): Promise<Page<T>>;
}

export interface TransactionOptions {
  /**
   * Transient conflicts (write conflicts, unknown commit results) are retried with jittered
   * exponential backoff for up to `budgetMs` (default 5,000 ms; see retry.ts), and at most
   * `maxAttempts` times (default unlimited within the budget).
   */
  maxAttempts?: number;
  budgetMs?: number;
}

export interface DocumentStore {
  /** Which adapter this is, for logs and /readyz. */
  readonly kind: 'mongo' | 'embedded';
  /** Declares a collection and its indexes (created by `init()` or immediately if already initialised). */
  collection<T extends Doc = Doc>(spec: CollectionSpec | string): Collection<T>;
  /** Connects / recovers and creates every declared index. Idempotent. */
  init(): Promise<void>;
  /**
   * Runs `fn` in a multi-document transaction: either every write made with `session` is applied, or
   * none. Retried on transient conflicts, so `fn` must be safe to run more than once (no side effects
   * outside the store inside it). Pass `{ session }` to every operation inside `fn`: a write without
   * it (or a nested withTransaction) is rejected by the embedded adapter, which serialises
   * transactions, and would run outside the transaction on MongoDB. A write error inside the
   * transaction (e.g. DuplicateKeyError) aborts it, as in MongoDB. Readers outside never see
   * uncommitted writes.
   */
  withTransaction<R>(fn: (session: Session) => Promise<R>, opts?: TransactionOptions): Promise<R>;
  /** Throws if the store is not usable (readiness probe). */
  ping(): Promise<void>;
  /**
   * Subscribe to committed inserts on a collection (used to wake the outbox relay without polling).
   * Best effort: embedded calls it once per committed write (after it is durable); MongoDB uses a
   * change stream (one call per inserted document, may miss some around reconnects), so keep a
   * slow poll as a fallback. Returns an unsubscribe function.
   */
  onInsert(collection: string, listener: () => void): () => void;
  close(): Promise<void>;
}
