// The Collection port over the embedded store: CRUD, upserts, updates, cursor pages.
import { decodeCursor, encodeCursor, validatePageLimit } from '../cursor';
import { newId } from '../ids';
import type {
  Collection,
  Doc,
  Filter,
  FindOneAndUpdateOptions,
  FindOptions,
  Page,
  PageOptions,
  Update,
  UpdateResult,
  WriteOptions,
} from '../port';
import { compileFilter } from './matcher';
import { compileProjection, compileSort, TopK, type Comparator } from './query';
import { applyUpdate, seedFromFilter, validateUpdate } from './updater';
import { cloneJson, compareValues, deepEqual, isPlainObject, sortValue } from './values';
import { CollectionState } from './collection-state';
import { findFirst, findAll } from './view';
import type { EmbeddedStore } from './store';

/** A new document as stored: normalised copy with a string `_id` (generated when absent). */
export function prepareInsert(doc: Doc): Doc {
  if (!isPlainObject(doc)) throw new TypeError('a document must be a plain object');
  const stored = cloneJson(doc) as Doc;
  if (stored._id === undefined) stored._id = newId();
  else if (typeof stored._id !== 'string') throw new TypeError('_id must be a string');
  return stored;
}

export function prepareReplacement(doc: Doc): Doc {
  if (!isPlainObject(doc)) throw new TypeError('a replacement must be a plain object');
  if (Object.keys(doc).some((k) => k.startsWith('$'))) {
    throw new TypeError('a replacement document must not contain update operators');
  }
  return cloneJson(doc) as Doc;
}

/** Document inserted by an upsert: the filter's equality fields, then the update (with $setOnInsert). */
export function upsertDoc(filter: Filter, update: Update): Doc {
  const { doc } = applyUpdate(seedFromFilter(filter), update, true);
  if (doc._id === undefined) doc._id = newId();
  else if (typeof doc._id !== 'string') throw new TypeError('_id must be a string');
  return doc;
}

export class EmbeddedCollection<T extends Doc> implements Collection<T> {
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
