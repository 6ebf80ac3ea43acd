// A transaction: its id, its state and its uncommitted writes (one overlay per collection).
import { newId } from '../ids';
import type { Doc, Session } from '../port';
import { CollectionState } from './collection-state';
import type { EmbeddedStore } from './store';

/** A transaction's uncommitted writes to one collection. */
export class Overlay {
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

export class EmbeddedSession implements Session {
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
