// Committed state of one collection: its documents and secondary indexes.
import type { Doc, IndexSpec } from '../port';
import { IndexState, indexName } from './indexes';

/** Committed documents of one collection plus its secondary indexes. */
export class CollectionState {
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
