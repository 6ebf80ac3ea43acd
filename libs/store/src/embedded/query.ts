import type { Doc, SortSpec } from '../port';
import { cloneJson, compareValues, isPlainObject, sortValue, type PlainObject } from './values';

export type Comparator = (a: Doc, b: Doc) => number;

/** Comparator for a MongoDB sort spec (BSON order, arrays by min/max element, missing = null). */
export function compileSort(sort: SortSpec): Comparator {
  const keys = Object.entries(sort).map(([field, dir]) => {
    if (dir !== 1 && dir !== -1) throw new TypeError(`sort direction for ${field} must be 1 or -1`);
    return { path: field.split('.'), dir };
  });
  if (keys.length === 0) return () => 0;
  return (a, b) => {
    for (const { path, dir } of keys) {
      const c = compareValues(sortValue(a, path, dir), sortValue(b, path, dir));
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}

/**
 * Keeps the `k` smallest items offered, in order (stable for ties). O(n log k) comparisons for the
 * usual case where most items are rejected by one comparison with the current k-th.
 */
export class TopK {
  readonly items: Doc[] = [];

  constructor(
    private readonly k: number,
    private readonly cmp: Comparator,
  ) {}

  offer(doc: Doc): void {
    const items = this.items;
    if (items.length >= this.k) {
      if (this.k === 0 || this.cmp(doc, items[items.length - 1]!) >= 0) return;
      items.pop();
    }
    // Upper bound: after every item that compares equal, which keeps ties in arrival order.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(items[mid]!, doc) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, doc);
  }
}

export type Projector = (doc: Doc) => Doc;

const copyDoc: Projector = (doc) => cloneJson(doc);

/** Builds the projection function (returns fresh copies) for an inclusion or exclusion projection. */
export function compileProjection(projection: Record<string, 0 | 1> | undefined): Projector {
  if (!projection) return copyDoc;
  let includeId = true;
  let idOnly = false;
  const included: string[][] = [];
  const excluded: string[][] = [];
  for (const [field, flag] of Object.entries(projection)) {
    if (typeof flag !== 'number' && typeof flag !== 'boolean') {
      throw new TypeError(`unsupported projection for ${field}: only 0/1 are supported`);
    }
    if (field === '_id') {
      includeId = Boolean(flag);
      idOnly = includeId;
      continue;
    }
    (flag ? included : excluded).push(field.split('.'));
  }
  if (included.length > 0 && excluded.length > 0) {
    throw new TypeError('cannot mix inclusion and exclusion in a projection');
  }
  if (included.length > 0 || (idOnly && excluded.length === 0)) {
    return (doc) => {
      const out: PlainObject = {};
      if (includeId && doc._id !== undefined) out._id = doc._id;
      for (const path of included) includePath(doc, out, path, 0);
      return out as Doc;
    };
  }
  if (!includeId) excluded.push(['_id']);
  if (excluded.length === 0) return copyDoc;
  return (doc) => {
    const out = cloneJson(doc) as PlainObject;
    for (const path of excluded) excludePath(out, path, 0);
    return out as Doc;
  };
}

function includePath(source: PlainObject, target: PlainObject, path: string[], i: number): void {
  const key = path[i]!;
  if (!(key in source)) return;
  const value = source[key];
  if (i === path.length - 1) {
    target[key] = cloneJson(value);
    return;
  }
  if (isPlainObject(value)) {
    const child = isPlainObject(target[key]) ? (target[key] as PlainObject) : {};
    includePath(value, child, path, i + 1);
    target[key] = child;
  } else if (Array.isArray(value)) {
    // MongoDB projects each object element of an array; other elements are left out.
    const existing = Array.isArray(target[key]) ? (target[key] as PlainObject[]) : null;
    const objects = value.filter(isPlainObject);
    target[key] = objects.map((item, n) => {
      const child = existing?.[n] ?? {};
      includePath(item, child, path, i + 1);
      return child;
    });
  }
}

function excludePath(target: unknown, path: string[], i: number): void {
  if (Array.isArray(target)) {
    for (const item of target) excludePath(item, path, i);
    return;
  }
  if (!isPlainObject(target)) return;
  const key = path[i]!;
  if (i === path.length - 1) delete target[key];
  else excludePath(target[key], path, i + 1);
}
