import { DuplicateKeyError } from '../errors';
import type { Doc, IndexSpec } from '../port';
import { encodeKey, pathValues } from './values';

/** MongoDB's default index name: "sku_1_locationId_1". */
export function indexName(spec: IndexSpec): string {
  return (
    spec.name ??
    Object.entries(spec.keys)
      .map(([field, dir]) => `${field}_${dir}`)
      .join('_')
  );
}

/** Length-prefixed concatenation: unambiguous whatever characters the components hold. */
function joinComponent(prefix: string, component: string): string {
  return `${prefix}${component.length}:${component}`;
}

/** Past this many key combinations ($in × $in ...) a lookup is not worth it; scan instead. */
const MAX_LOOKUP_COMBINATIONS = 4096;

/**
 * A secondary index: for every prefix of its fields, a hash map from the (encoded) key to the ids
 * that hold it. An equality or `$in` on the leading field(s) is answered from the deepest usable
 * level without looking at other documents. Array values are indexed per element (multikey), like
 * MongoDB. Keys are exact for scalars; the caller still tests candidates against the whole filter.
 */
export class IndexState {
  readonly name: string;
  readonly fields: string[];
  readonly unique: boolean;
  private readonly paths: string[][];
  /** levels[i]: key of fields[0..i] → ids. */
  private readonly levels: Map<string, Set<string>>[];

  constructor(spec: IndexSpec) {
    this.name = indexName(spec);
    this.fields = Object.keys(spec.keys);
    if (this.fields.length === 0) throw new Error('an index needs at least one field');
    this.unique = spec.unique ?? false;
    this.paths = this.fields.map((f) => f.split('.'));
    this.levels = this.fields.map(() => new Map());
  }

  /** Every full key tuple of `doc`, as components per field (more than one for array values). */
  private tuples(doc: Doc): string[][] {
    let tuples: string[][] = [[]];
    for (const path of this.paths) {
      const values = pathValues(doc, path);
      const components = values.length === 1 ? [encodeKey(values[0])] : [...new Set(values.map(encodeKey))];
      if (components.length === 1) {
        for (const t of tuples) t.push(components[0]!);
      } else {
        const next: string[][] = [];
        for (const t of tuples) for (const c of components) next.push([...t, c]);
        tuples = next;
      }
    }
    return tuples;
  }

  /** The full keys (last level) of `doc`; what uniqueness is checked on. */
  fullKeys(doc: Doc): string[] {
    const keys: string[] = [];
    for (const tuple of this.tuples(doc)) {
      let key = '';
      for (const c of tuple) key = joinComponent(key, c);
      keys.push(key);
    }
    return keys.length > 1 ? [...new Set(keys)] : keys;
  }

  private forEachLevelKey(doc: Doc, visit: (level: Map<string, Set<string>>, key: string) => void): void {
    for (const tuple of this.tuples(doc)) {
      let key = '';
      for (let i = 0; i < tuple.length; i++) {
        key = joinComponent(key, tuple[i]!);
        visit(this.levels[i]!, key);
      }
    }
  }

  add(doc: Doc): void {
    const id = doc._id;
    this.forEachLevelKey(doc, (level, key) => {
      const ids = level.get(key);
      if (ids) ids.add(id);
      else level.set(key, new Set([id]));
    });
  }

  remove(doc: Doc): void {
    const id = doc._id;
    this.forEachLevelKey(doc, (level, key) => {
      const ids = level.get(key);
      if (!ids) return;
      ids.delete(id);
      if (ids.size === 0) level.delete(key);
    });
  }

  /** Re-indexes a document whose content changed; free when the indexed fields did not change. */
  replace(before: Doc, after: Doc): void {
    const a = this.fullKeys(before);
    const b = this.fullKeys(after);
    if (a.length === b.length && a.every((k, i) => k === b[i])) return;
    this.remove(before);
    this.add(after);
  }

  /** Ids holding exactly `fullKey`. */
  idsWithKey(fullKey: string): ReadonlySet<string> | undefined {
    return this.levels[this.levels.length - 1]!.get(fullKey);
  }

  /** How many leading fields the equalities constrain (0 = this index cannot help). */
  usablePrefix(equalities: ReadonlyMap<string, readonly string[]>): number {
    let n = 0;
    while (n < this.fields.length && equalities.has(this.fields[n]!)) n++;
    return n;
  }

  /** Ids that may match the equalities on the first `prefix` fields; null when too many combinations. */
  lookup(equalities: ReadonlyMap<string, readonly string[]>, prefix: number): Iterable<string> | null {
    let keys = [''];
    for (let i = 0; i < prefix; i++) {
      const components = equalities.get(this.fields[i]!)!;
      if (keys.length * components.length > MAX_LOOKUP_COMBINATIONS) return null;
      const next: string[] = [];
      for (const k of keys) for (const c of components) next.push(joinComponent(k, c));
      keys = next;
    }
    const level = this.levels[prefix - 1]!;
    if (keys.length === 1) return level.get(keys[0]!) ?? [];
    const ids = new Set<string>();
    for (const k of keys) for (const id of level.get(k) ?? []) ids.add(id);
    return ids;
  }

  /** The key object reported in a DuplicateKeyError. */
  keyObject(doc: Doc): Record<string, unknown> {
    const key: Record<string, unknown> = {};
    for (let i = 0; i < this.fields.length; i++) {
      const values = pathValues(doc, this.paths[i]!);
      key[this.fields[i]!] = values.length === 1 ? values[0] : values;
    }
    return key;
  }

  duplicate(collection: string, doc: Doc): DuplicateKeyError {
    return new DuplicateKeyError(collection, this.name, this.keyObject(doc));
  }
}
