// How operations see data: committed only, or a transaction's overlay over it; scans and top-k.
import { DuplicateKeyError } from '../errors';
import type { Doc } from '../port';
import type { Matcher } from './matcher';
import type { JournalOp } from './persistence';
import { TopK, type Comparator } from './query';
import { CollectionState } from './collection-state';
import { EmbeddedSession } from './session';

/** What operations read from and write to: committed data, or a transaction's view of it. */
export interface View {
  get(state: CollectionState, id: string): Doc | undefined;
  /** Visits matching documents; stop by returning false. */
  forEach(state: CollectionState, matcher: Matcher, visit: (doc: Doc) => boolean | void): void;
  insert(state: CollectionState, doc: Doc): void;
  update(state: CollectionState, before: Doc, after: Doc): void;
  remove(state: CollectionState, before: Doc): void;
}

export function forEachCommitted(
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
export class CommittedView implements View {
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

export const readCommitted: View = new CommittedView();

/** A transaction's view: its own writes over committed data; writes go to the overlay only. */
export class SessionView implements View {
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

export function findFirst(
  view: View,
  state: CollectionState,
  matcher: Matcher,
  sort?: Comparator,
): Doc | undefined {
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

export function findAll(
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
