import mongoose, { mongo, Schema, type Connection, type Model } from 'mongoose';
import { decodeCursor, encodeCursor, validatePageLimit } from '../cursor';
import {
  StartupError,
  StoreClosedError,
  StoreNotInitialisedError,
  TransientTransactionError,
} from '../errors';
import { newId } from '../ids';
import { retryBudget } from '../retry';
import type {
  Collection,
  CollectionSpec,
  Doc,
  DocumentStore,
  Filter,
  FindOneAndUpdateOptions,
  FindOptions,
  IndexSpec,
  Page,
  PageOptions,
  Session,
  TransactionOptions,
  Update,
  UpdateResult,
  WriteOptions,
} from '../port';
import {
  keysetFilter,
  mapMongoError,
  topologyRefusal,
  type HelloReply,
  runTransaction,
  withUpsertId,
  type TransactionAttempt,
} from './helpers';

export interface MongoStoreOptions {
  /** mongodb:// URL of a replica set (transactions need one). */
  url: string;
  dbName: string;
  /**
   * How long to wait for a reachable primary before startup or an operation fails. Default 5,000 ms
   * (the driver's 30 s made a bad MONGO_URL look like a hang); the URL may set it too.
   */
  serverSelectionTimeoutMS?: number;
  /** TCP connect timeout. Default 5,000 ms. */
  connectTimeoutMS?: number;
  /**
   * Socket inactivity timeout: an operation whose server stopped answering fails after this (with
   * server selection, the bound of one operation). Default 30,000 ms. (The driver's `timeoutMS` is
   * deprecated without effect in driver 7, so it is not used.)
   */
  socketTimeoutMS?: number;
  /** The variable the URL came from, named in startup errors. Default MONGO_URL. */
  urlVariable?: string;
}

/** The URL without credentials, for messages. */
export function redactMongoUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1***@');
}

type MongoDoc = Doc;
type NativeCollection = mongo.Collection<MongoDoc>;

const DEFAULT_INDEX_NAME = (spec: IndexSpec): string =>
  spec.name ??
  Object.entries(spec.keys)
    .map(([field, dir]) => `${field}_${dir}`)
    .join('_');

class MongoSession implements Session {
  readonly id = newId();
  attempt: TransactionAttempt = { doomed: false };

  constructor(
    readonly store: MongoStore,
    readonly client: mongo.ClientSession,
  ) {}

  get inTransaction(): boolean {
    return !this.client.hasEnded && this.client.inTransaction();
  }
}

/** Value at a dotted path (for the page cursor). */
function valueAt(doc: Doc, path: string): unknown {
  let current: unknown = doc;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return null;
    current = (current as Record<string, unknown>)[key];
  }
  return current ?? null;
}

/** A declared collection: its mongoose model, and the promise that its collection and indexes exist. */
class MongoCollection<T extends Doc> implements Collection<T> {
  readonly indexes: IndexSpec[] = [];
  private model: Model<MongoDoc> | null = null;
  private prepared: Promise<void> | null = null;

  constructor(
    private readonly store: MongoStore,
    readonly name: string,
  ) {}

  /** Creates the model (once), the collection and every declared index. Idempotent. */
  prepare(connection: Connection): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.model) {
        const schema = new Schema<MongoDoc>(
          { _id: { type: String, required: true } },
          { strict: false, versionKey: false, collection: this.name, autoIndex: false, autoCreate: false },
        );
        this.model =
          (connection.models[this.name] as Model<MongoDoc> | undefined) ??
          connection.model<MongoDoc>(this.name, schema, this.name);
      }
      const schema = this.model.schema;
      const existing = new Set(schema.indexes().map(([, options]) => options.name as string | undefined));
      for (const spec of this.indexes) {
        const name = DEFAULT_INDEX_NAME(spec);
        if (!existing.has(name)) schema.index(spec.keys, { unique: spec.unique ?? false, name });
      }
      // Explicit creation: implicit creation inside a transaction is not allowed with snapshot reads.
      await this.model.createCollection();
      // createIndexes, not syncIndexes: never drop an index another version of the service still uses.
      await this.model.createIndexes();
    };
    // Chained so that a later declaration (new indexes) runs after the first preparation; a failed
    // preparation is forgotten so that the next operation tries again.
    const next = (this.prepared ?? Promise.resolve()).catch(() => undefined).then(run);
    this.prepared = next;
    next.catch(() => {
      if (this.prepared === next) this.prepared = null;
    });
    return next;
  }

  private async native(): Promise<NativeCollection> {
    this.store.assertUsable();
    await (this.prepared ?? this.prepare(this.store.connection()));
    return this.model!.collection as unknown as NativeCollection;
  }

  /** Runs one driver call with the session (if any) and maps its errors to the port's. */
  private async run<R>(
    session: Session | undefined,
    op: (collection: NativeCollection, client: mongo.ClientSession | undefined) => Promise<R>,
  ): Promise<R> {
    const tx = session ? this.store.sessionOf(session) : undefined;
    const collection = await this.native();
    try {
      return await op(collection, tx?.client);
    } catch (err) {
      const mapped = mapMongoError(err, this.name);
      if (tx && mapped instanceof TransientTransactionError) tx.attempt.doomed = true;
      throw mapped;
    }
  }

  async insertOne(doc: T, opts?: WriteOptions): Promise<T> {
    // A copy with the _id set: the driver would otherwise add an ObjectId to the caller's object.
    const stored = { ...doc, _id: doc._id ?? newId() } as T;
    await this.run(opts?.session, (c, session) => c.insertOne(stored, { session }));
    return structuredClone(stored);
  }

  async insertMany(docs: T[], opts?: WriteOptions): Promise<void> {
    if (docs.length === 0) return;
    const stored = docs.map((doc) => ({ ...doc, _id: doc._id ?? newId() }));
    await this.run(opts?.session, (c, session) => c.insertMany(stored, { session, ordered: true }));
  }

  async findOne(filter: Filter, opts?: FindOptions): Promise<T | null> {
    return (await this.run(opts?.session, (c, session) =>
      c.findOne(filter as mongo.Filter<MongoDoc>, {
        session,
        sort: opts?.sort,
        skip: opts?.skip,
        projection: opts?.projection,
      }),
    )) as T | null;
  }

  findById(id: string, opts?: FindOptions): Promise<T | null> {
    return this.findOne({ _id: id }, opts);
  }

  async find(filter: Filter, opts?: FindOptions): Promise<T[]> {
    return (await this.run(opts?.session, (c, session) =>
      c
        .find(filter as mongo.Filter<MongoDoc>, {
          session,
          sort: opts?.sort,
          skip: opts?.skip,
          limit: opts?.limit,
          projection: opts?.projection,
        })
        .toArray(),
    )) as T[];
  }

  countDocuments(filter: Filter, opts?: WriteOptions): Promise<number> {
    return this.run(opts?.session, (c, session) =>
      c.countDocuments(filter as mongo.Filter<MongoDoc>, { session }),
    );
  }

  async findOneAndUpdate(filter: Filter, update: Update, opts?: FindOneAndUpdateOptions): Promise<T | null> {
    const body = opts?.upsert ? withUpsertId(filter, update) : update;
    return (await this.run(opts?.session, (c, session) =>
      c.findOneAndUpdate(filter as mongo.Filter<MongoDoc>, body as mongo.UpdateFilter<MongoDoc>, {
        session,
        upsert: opts?.upsert ?? false,
        sort: opts?.sort,
        returnDocument: opts?.returnDocument ?? 'after',
      }),
    )) as T | null;
  }

  private static result(res: mongo.UpdateResult<MongoDoc>): UpdateResult {
    const out: UpdateResult = { matchedCount: res.matchedCount, modifiedCount: res.modifiedCount };
    if (res.upsertedId !== null && res.upsertedId !== undefined) out.upsertedId = String(res.upsertedId);
    return out;
  }

  async updateOne(
    filter: Filter,
    update: Update,
    opts?: WriteOptions & { upsert?: boolean },
  ): Promise<UpdateResult> {
    const body = opts?.upsert ? withUpsertId(filter, update) : update;
    const res = await this.run(opts?.session, (c, session) =>
      c.updateOne(filter as mongo.Filter<MongoDoc>, body as mongo.UpdateFilter<MongoDoc>, {
        session,
        upsert: opts?.upsert ?? false,
      }),
    );
    return MongoCollection.result(res);
  }

  async updateMany(filter: Filter, update: Update, opts?: WriteOptions): Promise<UpdateResult> {
    const res = await this.run(opts?.session, (c, session) =>
      c.updateMany(filter as mongo.Filter<MongoDoc>, update as mongo.UpdateFilter<MongoDoc>, { session }),
    );
    return MongoCollection.result(res);
  }

  async replaceOne(
    filter: Filter,
    doc: T,
    opts?: WriteOptions & { upsert?: boolean },
  ): Promise<UpdateResult> {
    const replacement: Record<string, unknown> = { ...doc };
    if (replacement._id === undefined && opts?.upsert && filter._id === undefined) replacement._id = newId();
    const res = await this.run(opts?.session, (c, session) =>
      c.replaceOne(filter as mongo.Filter<MongoDoc>, replacement as MongoDoc, {
        session,
        upsert: opts?.upsert ?? false,
      }),
    );
    return MongoCollection.result(res as mongo.UpdateResult<MongoDoc>);
  }

  async deleteOne(filter: Filter, opts?: WriteOptions): Promise<number> {
    const res = await this.run(opts?.session, (c, session) =>
      c.deleteOne(filter as mongo.Filter<MongoDoc>, { session }),
    );
    return res.deletedCount;
  }

  async deleteMany(filter: Filter, opts?: WriteOptions): Promise<number> {
    const res = await this.run(opts?.session, (c, session) =>
      c.deleteMany(filter as mongo.Filter<MongoDoc>, { session }),
    );
    return res.deletedCount;
  }

  async page(filter: Filter, opts: PageOptions): Promise<Page<T>> {
    const limit = validatePageLimit(opts.limit);
    const field = opts.sortField ?? '_id';
    const direction = opts.direction ?? 1;
    const after = opts.cursor ? decodeCursor(opts.cursor, field, direction) : null;
    const clauses: Filter[] = [];
    if (Object.keys(filter).length > 0) clauses.push(filter);
    if (after) clauses.push(keysetFilter(field, direction, after.value, after.id));
    const query = clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0]! : { $and: clauses };
    const sort: Record<string, 1 | -1> =
      field === '_id' ? { _id: direction } : { [field]: direction, _id: direction };
    const docs = await this.find(query, { session: opts.session, sort, limit: limit + 1 });
    const items = docs.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      docs.length > limit && last
        ? encodeCursor({ field, direction, value: valueAt(last, field), id: last._id })
        : null;
    return { items, nextCursor };
  }
}

interface InsertWatch {
  listeners: Set<() => void>;
  stream: mongo.ChangeStream | null;
  retry: NodeJS.Timeout | null;
}

const WATCH_RETRY_MS = 1000;

/**
 * The production adapter. Operations go through each model's native collection, so MongoDB's own
 * query and update semantics apply exactly; mongoose contributes the connection, the models and
 * index creation. `onInsert` is served by a change stream per watched collection (replica set
 * required, as for transactions); it is best effort and reopens itself after errors.
 */
export class MongoStore implements DocumentStore {
  readonly kind = 'mongo' as const;
  private readonly conn: Connection;
  private readonly collections = new Map<string, MongoCollection<Doc>>();
  private readonly watches = new Map<string, InsertWatch>();
  private initialising: Promise<void> | null = null;
  private ready = false;
  private closed = false;

  constructor(private readonly opts: MongoStoreOptions) {
    this.conn = mongoose.createConnection();
  }

  /** @internal */
  connection(): Connection {
    return this.conn;
  }

  /** @internal */
  assertUsable(): void {
    if (this.closed) throw new StoreClosedError();
    if (!this.ready) throw new StoreNotInitialisedError();
  }

  /** @internal */
  sessionOf(session: Session): MongoSession {
    if (!(session instanceof MongoSession) || session.store !== this) {
      throw new TypeError('session does not belong to this store');
    }
    if (!session.inTransaction) throw new Error(`transaction ${session.id} has ended`);
    return session;
  }

  collection<T extends Doc = Doc>(spec: CollectionSpec | string): Collection<T> {
    const { name, indexes = [] } = typeof spec === 'string' ? { name: spec } : spec;
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MongoCollection<Doc>(this, name);
      this.collections.set(name, collection);
    }
    collection.indexes.push(...indexes);
    if (this.ready && (indexes.length > 0 || typeof spec !== 'string')) {
      // Operations on it wait for this; a failure surfaces on the first operation.
      collection.prepare(this.conn).catch(() => undefined);
    }
    return collection as unknown as Collection<T>;
  }

  init(): Promise<void> {
    this.initialising ??= this.connect().catch((err: unknown) => {
      this.initialising = null; // allow a retry (e.g. the database was not up yet)
      throw err;
    });
    return this.initialising;
  }

  private async connect(): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    const variable = this.opts.urlVariable ?? 'MONGO_URL';
    const where = redactMongoUrl(this.opts.url);
    if (this.conn.readyState !== mongoose.ConnectionStates.connected) {
      const selection = this.opts.serverSelectionTimeoutMS ?? 5_000;
      try {
        await this.conn.openUri(this.opts.url, {
          dbName: this.opts.dbName,
          // Same as the embedded adapter: undefined fields are left out, never stored as null.
          ignoreUndefined: true,
          bufferCommands: false,
          autoIndex: false,
          autoCreate: false,
          serverSelectionTimeoutMS: selection,
          connectTimeoutMS: this.opts.connectTimeoutMS ?? 5_000,
          socketTimeoutMS: this.opts.socketTimeoutMS ?? 30_000,
        });
      } catch (err) {
        await this.conn.close().catch(() => undefined);
        throw new StartupError(
          `${variable}: cannot reach MongoDB at ${where} within ${selection} ms (${(err as Error).message})`,
          { cause: err },
        );
      }
      // Transactions and change streams need a replica set: refuse a standalone mongod at once
      // rather than failing on the first transaction.
      const hello = (await this.conn.db!.admin().command({ hello: 1 })) as HelloReply;
      const refusal = topologyRefusal(hello, variable, where);
      if (refusal) {
        await this.conn.close().catch(() => undefined);
        throw refusal;
      }
    }
    await Promise.all([...this.collections.values()].map((c) => c.prepare(this.conn)));
    this.ready = true;
    for (const [name, watch] of this.watches) this.startWatch(name, watch);
  }

  async withTransaction<R>(fn: (session: Session) => Promise<R>, opts?: TransactionOptions): Promise<R> {
    this.assertUsable();
    const client = await this.conn.startSession();
    const session = new MongoSession(this, client);
    try {
      return await runTransaction(
        client,
        (attempt) => {
          session.attempt = attempt;
          return fn(session);
        },
        retryBudget(opts),
        (err) => mapMongoError(err, 'transaction'),
      );
    } finally {
      await client.endSession();
    }
  }

  async ping(): Promise<void> {
    this.assertUsable();
    const db = this.conn.db;
    if (!db) throw new StoreNotInitialisedError();
    try {
      await db.admin().ping();
    } catch (err) {
      throw mapMongoError(err, 'admin');
    }
  }

  onInsert(collection: string, listener: () => void): () => void {
    let watch = this.watches.get(collection);
    if (!watch) {
      watch = { listeners: new Set(), stream: null, retry: null };
      this.watches.set(collection, watch);
    }
    const own = watch;
    const wrapped = (): void => listener();
    own.listeners.add(wrapped);
    if (this.ready && !own.stream && !own.retry) this.startWatch(collection, own);
    return () => {
      own.listeners.delete(wrapped);
      if (own.listeners.size === 0) this.stopWatch(collection, own);
    };
  }

  private startWatch(name: string, watch: InsertWatch): void {
    if (this.closed || watch.listeners.size === 0 || watch.stream) return;
    const db = this.conn.db;
    if (!db) return;
    // Only the resume token is needed; the listeners re-read what they need.
    const stream = db
      .collection(name)
      .watch([{ $match: { operationType: 'insert' } }, { $project: { _id: 1 } }]);
    watch.stream = stream;
    stream.on('change', () => {
      for (const listener of watch.listeners) {
        try {
          listener();
        } catch (err) {
          console.error(`store onInsert listener for ${name} failed`, err);
        }
      }
    });
    stream.on('error', (err: unknown) => {
      // The driver resumes on resumable errors by itself; this is the rest: reopen a bit later.
      console.error(`change stream on ${name} failed; reopening`, err);
      watch.stream = null;
      stream.close().catch(() => undefined);
      if (this.closed || watch.listeners.size === 0) return;
      watch.retry = setTimeout(() => {
        watch.retry = null;
        this.startWatch(name, watch);
      }, WATCH_RETRY_MS);
      watch.retry.unref();
    });
  }

  private stopWatch(name: string, watch: InsertWatch): void {
    if (watch.retry) clearTimeout(watch.retry);
    watch.retry = null;
    watch.stream?.close().catch(() => undefined);
    watch.stream = null;
    if (this.watches.get(name) === watch && watch.listeners.size === 0) this.watches.delete(name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [name, watch] of this.watches) {
      watch.listeners.clear();
      this.stopWatch(name, watch);
    }
    await this.conn.close();
  }
}

export function createMongoStore(opts: MongoStoreOptions): MongoStore {
  return new MongoStore(opts);
}
