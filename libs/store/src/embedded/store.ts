import { AsyncLocalStorage } from 'node:async_hooks';
import { decodeCursor, encodeCursor, validatePageLimit } from '../cursor';
import {
  DuplicateKeyError,
  StoreClosedError,
  StoreNotInitialisedError,
  StoreUnavailableError,
  TransientTransactionError,
} from '../errors';
import { FaultSwitch, type FaultOptions } from '../faults';
import { retryBudget, RetrySeries } from '../retry';
import { newId } from '../ids';
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
import { IndexState, indexName } from './indexes';
import { Mutex } from './lock';
import { compileFilter, type Matcher } from './matcher';
import { Persistence, type CapturedState, type JournalOp } from './persistence';
import { compileProjection, compileSort, TopK, type Comparator } from './query';
import { applyUpdate, seedFromFilter, validateUpdate } from './updater';
import { cloneJson, compareValues, deepEqual, isPlainObject, sortValue } from './values';

export interface EmbeddedStoreOptions {
  /** Data directory; absent = memory only (tests). */
  dir?: string;
  /** fsync every journal batch: survive power loss, not just kill -9. Default false. */
  fsync?: boolean;
  /** Journal size that triggers a snapshot + new journal. Default 64 MiB. */
  snapshotThresholdBytes?: number;
  /**
   * Fault injection (tests, replica test bed): a share of transactions lose a write conflict at
   * commit, or the store is down for a while (every call fails with StoreUnavailableError). Also
   * switchable at run time through `store.faults`. See faults.ts.
   */
  faults?: FaultOptions;
}

const DEFAULT_SNAPSHOT_THRESHOLD = 64 * 1024 * 1024;

/** Committed documents of one collection plus its secondary indexes. */
class CollectionState {
  readonly indexes = new Map<string, IndexState>();
  uniques: IndexState[] = [];
  /** Documents tested against a filter so far (like MongoDB's totalDocsExamined), for diagnostics. */
  examined = 0;

  constructor(
    readonly name: string,
    readonly docs: Map<string, Doc> = new Map(),
  ) {}

  /** Adds an index (idempotent by name); a unique index over existing duplicates fails, like MongoDB. */
  ensureIndex(spec: IndexSpec): void {
    const fields = Object.keys(spec.keys);
    if (fields.length === 1 && fields[0] === '_id') return; // always unique, it is the primary map
    const name = indexName(spec);
    if (this.indexes.has(name)) return;
    const index = new IndexState(spec);
    const seen = new Map<string, string>();
    for (const doc of this.docs.values()) {
      if (index.unique) {
        for (const key of index.fullKeys(doc)) {
          const other = seen.get(key);
          if (other !== undefined && other !== doc._id) throw index.duplicate(this.name, doc);
          seen.set(key, doc._id);
        }
      }
      index.add(doc);
    }
    this.indexes.set(name, index);
    if (index.unique) this.uniques = [...this.uniques, index];
  }

  /** Replaces `before` by `after` (either may be absent: insert / delete), keeping indexes in step. */
  apply(id: string, before: Doc | undefined, after: Doc | null): void {
    if (after) this.docs.set(id, after);
    else this.docs.delete(id);
    for (const index of this.indexes.values()) {
      if (before && after) index.replace(before, after);
      else if (before) index.remove(before);
      else if (after) index.add(after);
    }
  }

  /** Ids that can match the filter's equalities (via `_id` or the best index), or null = scan. */
  candidates(equalities: ReadonlyMap<string, readonly string[]>): Iterable<string> | null {
    const idKeys = equalities.get('_id');
    if (idKeys) {
      // _id is always a string, encoded as "s<id>"; any other key can match nothing.
      if (idKeys.length === 1) return idKeys[0]!.startsWith('s') ? [idKeys[0]!.slice(1)] : [];
      return idKeys.filter((k) => k.startsWith('s')).map((k) => k.slice(1));
    }
    if (equalities.size === 0 || this.indexes.size === 0) return null;
    let best: IndexState | null = null;
    let bestPrefix = 0;
    for (const index of this.indexes.values()) {
      const prefix = index.usablePrefix(equalities);
      if (prefix > bestPrefix || (prefix === bestPrefix && prefix > 0 && index.unique && !best?.unique)) {
        best = index;
        bestPrefix = prefix;
      }
    }
    return best ? best.lookup(equalities, bestPrefix) : null;
  }
}

/** A transaction's uncommitted writes to one collection. */
class Overlay {
  /** id → new document, or null = deleted. */
  readonly docs = new Map<string, Doc | null>();
  /** unique index name → full key → ids of overlay documents holding it. */
  readonly uniqueKeys = new Map<string, Map<string, Set<string>>>();
  inserted = false;

  put(state: CollectionState, id: string, doc: Doc | null): void {
    const previous = this.docs.get(id);
    for (const index of state.uniques) {
      let keys = this.uniqueKeys.get(index.name);
      if (!keys) {
        keys = new Map();
        this.uniqueKeys.set(index.name, keys);
      }
      if (previous) {
        for (const key of index.fullKeys(previous)) {
          const ids = keys.get(key);
          ids?.delete(id);
          if (ids?.size === 0) keys.delete(key);
        }
      }
      if (doc) {
        for (const key of index.fullKeys(doc)) {
          const ids = keys.get(key);
          if (ids) ids.add(id);
          else keys.set(key, new Set([id]));
        }
      }
    }
    this.docs.set(id, doc);
  }
}

class EmbeddedSession implements Session {
  readonly id = newId();
  state: 'active' | 'committed' | 'aborted' = 'active';
  abortReason: unknown = undefined;
  readonly overlays = new Map<string, Overlay>();

  constructor(readonly store: EmbeddedStore) {}

  get inTransaction(): boolean {
    return this.state === 'active';
  }

  overlay(name: string): Overlay {
    let overlay = this.overlays.get(name);
    if (!overlay) {
      overlay = new Overlay();
      this.overlays.set(name, overlay);
    }
    return overlay;
  }
}

/** What operations read from and write to: committed data, or a transaction's view of it. */
interface View {
  get(state: CollectionState, id: string): Doc | undefined;
  /** Visits matching documents; stop by returning false. */
  forEach(state: CollectionState, matcher: Matcher, visit: (doc: Doc) => boolean | void): void;
  insert(state: CollectionState, doc: Doc): void;
  update(state: CollectionState, before: Doc, after: Doc): void;
  remove(state: CollectionState, before: Doc): void;
}

function forEachCommitted(
  state: CollectionState,
  matcher: Matcher,
  visit: (doc: Doc) => boolean | void,
): void {
  const ids = state.candidates(matcher.equalities);
  if (ids) {
    for (const id of ids) {
      const doc = state.docs.get(id);
      if (!doc) continue;
      state.examined++;
      if (matcher.test(doc) && visit(doc) === false) return;
    }
    return;
  }
  for (const doc of state.docs.values()) {
    state.examined++;
    if (matcher.test(doc) && visit(doc) === false) return;
  }
}

/** Non-transactional writes: applied at once, collected for one journal record. */
class CommittedView implements View {
  readonly ops: JournalOp[] = [];
  readonly inserted = new Set<string>();

  get(state: CollectionState, id: string): Doc | undefined {
    return state.docs.get(id);
  }

  forEach(state: CollectionState, matcher: Matcher, visit: (doc: Doc) => boolean | void): void {
    forEachCommitted(state, matcher, visit);
  }

  private checkUnique(state: CollectionState, doc: Doc): void {
    for (const index of state.uniques) {
      for (const key of index.fullKeys(doc)) {
        const ids = index.idsWithKey(key);
        if (!ids) continue;
        for (const id of ids) if (id !== doc._id) throw index.duplicate(state.name, doc);
      }
    }
  }

  insert(state: CollectionState, doc: Doc): void {
    if (state.docs.has(doc._id)) throw new DuplicateKeyError(state.name, '_id_', { _id: doc._id });
    this.checkUnique(state, doc);
    state.apply(doc._id, undefined, doc);
    this.ops.push({ c: state.name, id: doc._id, d: doc });
    this.inserted.add(state.name);
  }

  update(state: CollectionState, before: Doc, after: Doc): void {
    this.checkUnique(state, after);
    state.apply(after._id, before, after);
    this.ops.push({ c: state.name, id: after._id, d: after });
  }

  remove(state: CollectionState, before: Doc): void {
    state.apply(before._id, before, null);
    this.ops.push({ c: state.name, id: before._id });
  }
}

const readCommitted: View = new CommittedView();

/** A transaction's view: its own writes over committed data; writes go to the overlay only. */
class SessionView implements View {
  constructor(private readonly session: EmbeddedSession) {}

  get(state: CollectionState, id: string): Doc | undefined {
    const overlay = this.session.overlays.get(state.name);
    if (overlay?.docs.has(id)) return overlay.docs.get(id) ?? undefined;
    return state.docs.get(id);
  }

  forEach(state: CollectionState, matcher: Matcher, visit: (doc: Doc) => boolean | void): void {
    const overlay = this.session.overlays.get(state.name);
    if (!overlay || overlay.docs.size === 0) {
      forEachCommitted(state, matcher, visit);
      return;
    }
    const own = overlay.docs;
    const test = (doc: Doc | null | undefined): boolean => {
      if (!doc) return false;
      state.examined++;
      return matcher.test(doc);
    };
    const ids = state.candidates(matcher.equalities);
    if (ids) {
      for (const id of ids) {
        if (own.has(id)) continue;
        const doc = state.docs.get(id);
        if (test(doc) && visit(doc!) === false) return;
      }
      for (const doc of own.values()) if (test(doc) && visit(doc!) === false) return;
      return;
    }
    // Scan in committed order with this transaction's versions substituted, then its new documents.
    for (const committed of state.docs.values()) {
      const doc = own.has(committed._id) ? own.get(committed._id) : committed;
      if (test(doc) && visit(doc!) === false) return;
    }
    for (const [id, doc] of own) {
      if (!state.docs.has(id) && test(doc) && visit(doc!) === false) return;
    }
  }

  /** Unique keys are checked against committed data (as this transaction sees it) and its own writes. */
  private checkUnique(state: CollectionState, doc: Doc): void {
    const overlay = this.session.overlays.get(state.name);
    for (const index of state.uniques) {
      const ownKeys = overlay?.uniqueKeys.get(index.name);
      for (const key of index.fullKeys(doc)) {
        for (const id of index.idsWithKey(key) ?? []) {
          // A committed holder counts unless this transaction changed or deleted it (then ownKeys decide).
          if (id !== doc._id && !overlay?.docs.has(id)) throw index.duplicate(state.name, doc);
        }
        for (const id of ownKeys?.get(key) ?? []) {
          if (id !== doc._id) throw index.duplicate(state.name, doc);
        }
      }
    }
  }

  insert(state: CollectionState, doc: Doc): void {
    if (this.get(state, doc._id)) throw new DuplicateKeyError(state.name, '_id_', { _id: doc._id });
    this.checkUnique(state, doc);
    const overlay = this.session.overlay(state.name);
    overlay.put(state, doc._id, doc);
    overlay.inserted = true;
  }

  update(state: CollectionState, _before: Doc, after: Doc): void {
    this.checkUnique(state, after);
    this.session.overlay(state.name).put(state, after._id, after);
  }

  remove(state: CollectionState, before: Doc): void {
    this.session.overlay(state.name).put(state, before._id, null);
  }
}

function findFirst(view: View, state: CollectionState, matcher: Matcher, sort?: Comparator): Doc | undefined {
  let found: Doc | undefined;
  view.forEach(state, matcher, (doc) => {
    if (!sort) {
      found = doc;
      return false;
    }
    if (!found || sort(doc, found) < 0) found = doc;
    return true;
  });
  return found;
}

function findAll(
  view: View,
  state: CollectionState,
  matcher: Matcher,
  opts: { sort?: Comparator; skip?: number; limit?: number },
): Doc[] {
  const skip = Math.max(0, opts.skip ?? 0);
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  if (opts.sort) {
    if (limit === Infinity) {
      const all: Doc[] = [];
      view.forEach(state, matcher, (doc) => void all.push(doc));
      return all.sort(opts.sort).slice(skip);
    }
    const top = new TopK(skip + limit, opts.sort);
    view.forEach(state, matcher, (doc) => top.offer(doc));
    return top.items.slice(skip);
  }
  const out: Doc[] = [];
  let skipped = 0;
  view.forEach(state, matcher, (doc) => {
    if (skipped < skip) {
      skipped++;
      return true;
    }
    out.push(doc);
    return out.length < limit;
  });
  return out;
}

/** A new document as stored: normalised copy with a string `_id` (generated when absent). */
function prepareInsert(doc: Doc): Doc {
  if (!isPlainObject(doc)) throw new TypeError('a document must be a plain object');
  const stored = cloneJson(doc) as Doc;
  if (stored._id === undefined) stored._id = newId();
  else if (typeof stored._id !== 'string') throw new TypeError('_id must be a string');
  return stored;
}

function prepareReplacement(doc: Doc): Doc {
  if (!isPlainObject(doc)) throw new TypeError('a replacement must be a plain object');
  if (Object.keys(doc).some((k) => k.startsWith('$'))) {
    throw new TypeError('a replacement document must not contain update operators');
  }
  return cloneJson(doc) as Doc;
}

/** Document inserted by an upsert: the filter's equality fields, then the update (with $setOnInsert). */
function upsertDoc(filter: Filter, update: Update): Doc {
  const { doc } = applyUpdate(seedFromFilter(filter), update, true);
  if (doc._id === undefined) doc._id = newId();
  else if (typeof doc._id !== 'string') throw new TypeError('_id must be a string');
  return doc;
}

class EmbeddedCollection<T extends Doc> implements Collection<T> {
  constructor(
    private readonly store: EmbeddedStore,
    readonly name: string,
  ) {}

  private state(): CollectionState {
    return this.store.stateOf(this.name);
  }

  async insertOne(doc: T, opts?: WriteOptions): Promise<T> {
    const stored = prepareInsert(doc);
    await this.store.write(opts?.session, (view) => view.insert(this.state(), stored));
    return cloneJson(stored) as T;
  }

  async insertMany(docs: T[], opts?: WriteOptions): Promise<void> {
    const stored = docs.map(prepareInsert);
    await this.store.write(opts?.session, (view) => {
      const state = this.state();
      for (const doc of stored) view.insert(state, doc);
    });
  }

  async findOne(filter: Filter, opts?: FindOptions): Promise<T | null> {
    const view = this.store.readView(opts?.session);
    const matcher = compileFilter(filter);
    const state = this.state();
    const doc =
      opts?.skip && opts.skip > 0
        ? findAll(view, state, matcher, { ...this.sortOf(opts), skip: opts.skip, limit: 1 })[0]
        : findFirst(view, state, matcher, this.sortOf(opts).sort);
    return doc ? (compileProjection(opts?.projection)(doc) as T) : null;
  }

  async findById(id: string, opts?: FindOptions): Promise<T | null> {
    const view = this.store.readView(opts?.session);
    const doc = view.get(this.state(), id);
    return doc ? (compileProjection(opts?.projection)(doc) as T) : null;
  }

  private sortOf(opts?: { sort?: FindOptions['sort'] }): { sort?: Comparator } {
    return opts?.sort && Object.keys(opts.sort).length > 0 ? { sort: compileSort(opts.sort) } : {};
  }

  async find(filter: Filter, opts?: FindOptions): Promise<T[]> {
    const view = this.store.readView(opts?.session);
    const docs = findAll(view, this.state(), compileFilter(filter), {
      ...this.sortOf(opts),
      skip: opts?.skip,
      limit: opts?.limit,
    });
    const project = compileProjection(opts?.projection);
    return docs.map((doc) => project(doc) as T);
  }

  async countDocuments(filter: Filter, opts?: WriteOptions): Promise<number> {
    const view = this.store.readView(opts?.session);
    let count = 0;
    view.forEach(this.state(), compileFilter(filter), () => void count++);
    return count;
  }

  async findOneAndUpdate(filter: Filter, update: Update, opts?: FindOneAndUpdateOptions): Promise<T | null> {
    validateUpdate(update);
    const matcher = compileFilter(filter);
    const sort = this.sortOf(opts).sort;
    const returnBefore = opts?.returnDocument === 'before';
    return this.store.write(opts?.session, (view) => {
      const state = this.state();
      const target = findFirst(view, state, matcher, sort);
      if (target) {
        const { doc, modified } = applyUpdate(target, update);
        if (modified) view.update(state, target, doc);
        return cloneJson(returnBefore ? target : modified ? doc : target) as T;
      }
      if (!opts?.upsert) return null;
      const inserted = upsertDoc(filter, update);
      view.insert(state, inserted);
      return returnBefore ? null : (cloneJson(inserted) as T);
    });
  }

  async updateOne(
    filter: Filter,
    update: Update,
    opts?: WriteOptions & { upsert?: boolean },
  ): Promise<UpdateResult> {
    validateUpdate(update);
    const matcher = compileFilter(filter);
    return this.store.write(opts?.session, (view) => {
      const state = this.state();
      const target = findFirst(view, state, matcher);
      if (target) {
        const { doc, modified } = applyUpdate(target, update);
        if (modified) view.update(state, target, doc);
        return { matchedCount: 1, modifiedCount: modified ? 1 : 0 };
      }
      if (!opts?.upsert) return { matchedCount: 0, modifiedCount: 0 };
      const inserted = upsertDoc(filter, update);
      view.insert(state, inserted);
      return { matchedCount: 0, modifiedCount: 0, upsertedId: inserted._id };
    });
  }

  async updateMany(filter: Filter, update: Update, opts?: WriteOptions): Promise<UpdateResult> {
    validateUpdate(update);
    const matcher = compileFilter(filter);
    return this.store.write(opts?.session, (view) => {
      const state = this.state();
      const targets = findAll(view, state, matcher, {});
      let modifiedCount = 0;
      for (const target of targets) {
        const { doc, modified } = applyUpdate(target, update);
        if (!modified) continue;
        view.update(state, target, doc);
        modifiedCount++;
      }
      return { matchedCount: targets.length, modifiedCount };
    });
  }

  async replaceOne(
    filter: Filter,
    doc: T,
    opts?: WriteOptions & { upsert?: boolean },
  ): Promise<UpdateResult> {
    const replacement = prepareReplacement(doc);
    const matcher = compileFilter(filter);
    return this.store.write(opts?.session, (view) => {
      const state = this.state();
      const target = findFirst(view, state, matcher);
      if (target) {
        if (replacement._id === undefined) replacement._id = target._id;
        else if (replacement._id !== target._id) {
          throw new TypeError("the (immutable) field '_id' was found to have been altered");
        }
        const same = deepEqual(target, replacement);
        if (!same) view.update(state, target, replacement);
        return { matchedCount: 1, modifiedCount: same ? 0 : 1 };
      }
      if (!opts?.upsert) return { matchedCount: 0, modifiedCount: 0 };
      const seeded = seedFromFilter(filter);
      const inserted = prepareInsert({ ...replacement, _id: (replacement._id ?? seeded._id) as string });
      view.insert(state, inserted);
      return { matchedCount: 0, modifiedCount: 0, upsertedId: inserted._id };
    });
  }

  async deleteOne(filter: Filter, opts?: WriteOptions): Promise<number> {
    const matcher = compileFilter(filter);
    return this.store.write(opts?.session, (view) => {
      const state = this.state();
      const target = findFirst(view, state, matcher);
      if (!target) return 0;
      view.remove(state, target);
      return 1;
    });
  }

  async deleteMany(filter: Filter, opts?: WriteOptions): Promise<number> {
    const matcher = compileFilter(filter);
    return this.store.write(opts?.session, (view) => {
      const state = this.state();
      const targets = findAll(view, state, matcher, {});
      for (const target of targets) view.remove(state, target);
      return targets.length;
    });
  }

  async page(filter: Filter, opts: PageOptions): Promise<Page<T>> {
    const limit = validatePageLimit(opts.limit);
    const field = opts.sortField ?? '_id';
    const direction = opts.direction ?? 1;
    const after = opts.cursor ? decodeCursor(opts.cursor, field, direction) : null;
    const path = field.split('.');
    const keyOf = (doc: Doc): unknown => sortValue(doc, path, direction);
    const cmp: Comparator = (a, b) =>
      (compareValues(keyOf(a), keyOf(b)) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)) * direction;
    const view = this.store.readView(opts.session);
    const top = new TopK(limit + 1, cmp);
    const cursorDoc = after ? ({ _id: after.id, ...setPathObject(path, after.value) } as Doc) : null;
    view.forEach(this.state(), compileFilter(filter), (doc) => {
      if (!cursorDoc || cmp(doc, cursorDoc) > 0) top.offer(doc);
    });
    const items = top.items.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      top.items.length > limit && last
        ? encodeCursor({ field, direction, value: keyOf(last), id: last._id })
        : null;
    return { items: items.map((doc) => cloneJson(doc) as T), nextCursor };
  }
}

/** `{a: {b: value}}` for path ['a', 'b'] (a stand-in document for comparisons with the cursor). */
function setPathObject(path: string[], value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]!]: out };
  return out as Record<string, unknown>;
}

export class EmbeddedStore implements DocumentStore {
  readonly kind = 'embedded' as const;
  private readonly states = new Map<string, CollectionState>();
  private readonly specs = new Map<string, IndexSpec[]>();
  private readonly handles = new Map<string, EmbeddedCollection<Doc>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Writers' lock: held by a transaction for its whole run, taken briefly by single writes meanwhile. */
  private readonly lock = new Mutex();
  /** The transaction whose callback is running in the current async context (deadlock detection). */
  private readonly currentTx = new AsyncLocalStorage<EmbeddedSession>();
  private persistence: Persistence | null = null;
  private initialising: Promise<void> | null = null;
  private ready = false;
  private closed = false;
  private failure: Error | null = null;
  /** Fault switches (off by default): `store.faults.down(5_000)`, `store.faults.conflictRate = 0.2`. */
  readonly faults: FaultSwitch;

  constructor(private readonly opts: EmbeddedStoreOptions = {}) {
    this.faults = new FaultSwitch(opts.faults);
  }

  collection<T extends Doc = Doc>(spec: CollectionSpec | string): Collection<T> {
    const { name, indexes = [] } = typeof spec === 'string' ? { name: spec } : spec;
    if (this.ready) for (const index of indexes) this.stateOf(name).ensureIndex(index);
    this.specs.set(name, [...(this.specs.get(name) ?? []), ...indexes]);
    let handle = this.handles.get(name);
    if (!handle) {
      handle = new EmbeddedCollection<Doc>(this, name);
      this.handles.set(name, handle);
    }
    return handle as unknown as Collection<T>;
  }

  init(): Promise<void> {
    this.initialising ??= this.recover();
    return this.initialising;
  }

  private async recover(): Promise<void> {
    if (this.opts.dir) {
      const { persistence, state } = await Persistence.open(
        this.opts.dir,
        {
          fsync: this.opts.fsync ?? false,
          snapshotThresholdBytes: this.opts.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD,
        },
        () => this.capture(),
      );
      this.persistence = persistence;
      for (const [name, docs] of state) this.states.set(name, new CollectionState(name, docs));
    }
    for (const [name, indexes] of this.specs) {
      const state = this.stateOf(name, true);
      for (const index of indexes) state.ensureIndex(index);
    }
    this.ready = true;
  }

  private capture(): CapturedState {
    return Array.from(this.states, ([name, state]) => [name, Array.from(state.docs.values())]);
  }

  /** @internal */
  stateOf(name: string, initialising = false): CollectionState {
    if (!initialising) this.assertUsable();
    let state = this.states.get(name);
    if (!state) {
      state = new CollectionState(name);
      this.states.set(name, state);
    }
    return state;
  }

  private assertUsable(): void {
    if (this.closed) throw new StoreClosedError();
    if (this.failure) throw this.failure;
    if (this.faults.isDown) throw new StoreUnavailableError('embedded store is down (injected outage)');
    if (!this.ready) throw new StoreNotInitialisedError();
  }

  private sessionOf(session: Session): EmbeddedSession {
    if (!(session instanceof EmbeddedSession) || session.store !== this) {
      throw new TypeError('session does not belong to this store');
    }
    if (session.state !== 'active') {
      throw new Error(
        session.state === 'aborted'
          ? `transaction ${session.id} was aborted by an earlier error: ${String(session.abortReason)}`
          : `transaction ${session.id} has already committed`,
      );
    }
    return session;
  }

  /** @internal */
  readView(session: Session | undefined): View {
    this.assertUsable();
    return session ? new SessionView(this.sessionOf(session)) : readCommitted;
  }

  /**
   * Runs a write. With a session: into its overlay, synchronously (an error aborts the transaction,
   * as in MongoDB). Without: applied to committed data in one synchronous step — atomic whatever
   * the concurrency — after waiting for a running transaction, then journaled before resolving.
   * @internal
   */
  write<R>(session: Session | undefined, apply: (view: View) => R): Promise<R> {
    if (session) {
      this.assertUsable();
      const tx = this.sessionOf(session);
      try {
        // Injected conflict: the write fails as MongoDB's would (WriteConflict, labelled
        // TransientTransactionError) and aborts the transaction; withTransaction retries it.
        if (this.faults.conflict()) throw new TransientTransactionError('write conflict (injected)');
        return Promise.resolve(apply(new SessionView(tx)));
      } catch (err) {
        tx.state = 'aborted';
        tx.abortReason = err;
        return Promise.reject(err);
      }
    }
    if (this.lock.held) return this.writeAfterLock(apply);
    return this.writeNow(apply);
  }

  private async writeAfterLock<R>(apply: (view: View) => R): Promise<R> {
    this.assertUsable();
    const tx = this.currentTx.getStore();
    if (tx && tx.store === this && tx.state === 'active') {
      throw new Error(
        'a write without { session } inside withTransaction would wait for the transaction forever: pass the session',
      );
    }
    await this.lock.acquire();
    let released = false;
    try {
      const result = this.writeNow(apply);
      this.lock.release();
      released = true;
      return await result;
    } finally {
      if (!released) this.lock.release();
    }
  }

  private writeNow<R>(apply: (view: View) => R): Promise<R> {
    this.assertUsable();
    const view = new CommittedView();
    let result: R;
    try {
      result = apply(view);
    } catch (err) {
      // Ordered multi-writes keep what was applied before the error, as MongoDB does.
      return view.ops.length > 0 ? this.persist(view).then(() => Promise.reject(err)) : Promise.reject(err);
    }
    if (view.ops.length === 0) return Promise.resolve(result);
    return this.persist(view).then(() => result);
  }

  /** Journals the applied ops (synchronously queued, so journal order = apply order), then notifies. */
  private persist(view: { ops: JournalOp[]; inserted: Set<string> }): Promise<void> {
    const durable = this.persistence?.append({ ops: view.ops });
    if (!durable) {
      this.notifyInserts(view.inserted);
      return Promise.resolve();
    }
    return durable.then(
      () => this.notifyInserts(view.inserted),
      (err: Error) => {
        // The write is applied in memory but not durable: stop accepting work (fail-stop).
        this.failure ??= err;
        throw err;
      },
    );
  }

  private notifyInserts(collections: Set<string>): void {
    for (const name of collections) {
      for (const listener of this.listeners.get(name) ?? []) {
        try {
          listener();
        } catch (err) {
          console.error(`store onInsert listener for ${name} failed`, err);
        }
      }
    }
  }

  /**
   * Transactions hold the writers' lock from start to commit: they are serialisable, there are no
   * lost updates and no write conflicts to retry (so TransientTransactionError only comes from `fn`
   * itself, or from the conflict-injecting fault switch, which fails a share of the writes made in
   * transactions the way a contended MongoDB does). Holding it from the start rather than the first write is what makes
   * read-then-write inside a transaction safe; it is cheap because everything inside is in-memory
   * work. Transient conflicts are retried with the same budget as the MongoDB adapter (retry.ts).
   */
  async withTransaction<R>(fn: (session: Session) => Promise<R>, opts?: TransactionOptions): Promise<R> {
    const series = new RetrySeries(retryBudget(opts));
    for (;;) {
      this.assertUsable();
      const outer = this.currentTx.getStore();
      if (outer && outer.store === this && outer.state === 'active') {
        throw new Error('withTransaction cannot be nested on the same store: use the outer session');
      }
      await this.lock.acquire();
      const session = new EmbeddedSession(this);
      let result: R;
      let committed: Promise<void>;
      try {
        this.assertUsable();
        result = await this.currentTx.run(session, () => fn(session));
        if (session.state === 'aborted') throw session.abortReason;
        committed = this.commit(session);
      } catch (err) {
        if (session.state === 'active') session.state = 'aborted';
        this.lock.release();
        if (err instanceof TransientTransactionError && (await series.next())) continue;
        throw err;
      }
      this.lock.release();
      await committed;
      return result;
    }
  }

  /** Applies the overlay to committed data in one synchronous step and journals it as one record. */
  private commit(session: EmbeddedSession): Promise<void> {
    const view = { ops: [] as JournalOp[], inserted: new Set<string>() };
    for (const [name, overlay] of session.overlays) {
      const state = this.stateOf(name);
      for (const [id, doc] of overlay.docs) {
        const before = state.docs.get(id);
        if (!doc && !before) continue;
        state.apply(id, before, doc);
        view.ops.push(doc ? { c: name, id, d: doc } : { c: name, id });
      }
      if (overlay.inserted) view.inserted.add(name);
    }
    session.state = 'committed';
    return view.ops.length > 0 ? this.persist(view) : Promise.resolve();
  }

  /** Documents examined by queries on `collection` so far (diagnostics: proves index use). */
  docsExamined(collection: string): number {
    return this.states.get(collection)?.examined ?? 0;
  }

  async ping(): Promise<void> {
    this.assertUsable();
    this.persistence?.check();
  }

  onInsert(collection: string, listener: () => void): () => void {
    let set = this.listeners.get(collection);
    if (!set) {
      set = new Set();
      this.listeners.set(collection, set);
    }
    const own = set;
    const wrapped = (): void => listener();
    own.add(wrapped);
    return () => {
      own.delete(wrapped);
    };
  }

  /** Waits for a running transaction, then flushes the journal and writes a final snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.acquire();
    this.closed = true;
    this.lock.release();
    await this.persistence?.close();
  }
}

export function createEmbeddedStore(opts: EmbeddedStoreOptions = {}): EmbeddedStore {
  return new EmbeddedStore(opts);
}
