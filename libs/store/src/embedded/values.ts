/**
 * Helpers for the JSON-like values the embedded store holds (strings, numbers, booleans, null, arrays,
 * plain objects). Stored documents are never mutated once committed; reads hand out copies.
 */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Deep copy that also normalises to what survives a JSON round trip, so a document reads the same
 * from memory as after a restart: `undefined` properties are dropped, Dates become ISO strings,
 * objects with toJSON are converted, non-finite numbers become null.
 */
export function cloneJson<T>(value: T): T {
  return cloneValue(value) as T;
}

function cloneValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`cannot store a ${typeof value} value`);
    }
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as unknown;
      out[i] = item === undefined ? null : cloneValue(item);
    }
    return out;
  }
  if (!isPlainObject(value)) {
    const withToJson = value as { toJSON?: () => unknown };
    if (typeof withToJson.toJSON === 'function') return cloneValue(withToJson.toJSON());
    return cloneValue({ ...value });
  }
  const out: PlainObject = {};
  for (const key in value) {
    const item = value[key];
    if (item !== undefined) out[key] = cloneValue(item);
  }
  return out;
}

/** Structural equality for JSON-like values (key order matters for objects, as in BSON). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) {
    const k = ak[i]!;
    if (k !== bk[i] || !deepEqual((a as PlainObject)[k], (b as PlainObject)[k])) return false;
  }
  return true;
}

/** Value at a dotted path through plain objects only; `undefined` when missing or an array is crossed. */
export function getPlainPath(doc: PlainObject, path: string[]): { value: unknown; crossedArray: boolean } {
  let current: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(current)) return { value: undefined, crossedArray: true };
    if (typeof current !== 'object' || current === null) return { value: undefined, crossedArray: false };
    current = (current as PlainObject)[path[i]!];
  }
  return { value: current, crossedArray: false };
}

/**
 * Every value a dotted path reaches, MongoDB style: arrays met on the way are traversed element by
 * element and a leaf array contributes its elements. Missing yields null. Used for index keys, which
 * must cover every document an equality query could match.
 */
export function pathValues(doc: unknown, path: string[], from = 0, out: unknown[] = []): unknown[] {
  let current = doc;
  for (let i = from; i < path.length; i++) {
    if (Array.isArray(current)) {
      if (current.length === 0) out.push(null);
      for (const item of current) pathValues(item, path, i, out);
      return out;
    }
    if (typeof current !== 'object' || current === null) {
      out.push(null);
      return out;
    }
    current = (current as PlainObject)[path[i]!];
  }
  if (Array.isArray(current)) {
    if (current.length === 0) out.push(EMPTY_ARRAY);
    else for (const item of current) out.push(item === undefined ? null : item);
  } else {
    out.push(current === undefined ? null : current);
  }
  return out;
}

/** Stand-in for an empty array in index keys (MongoDB indexes [] as `undefined`, unequal to null). */
export const EMPTY_ARRAY = Symbol('empty array');

/**
 * Type-tagged string key for an index entry; equal keys ⇔ values equal for a MongoDB equality match
 * (numbers by value, strings by content, objects by JSON with key order, null = missing).
 */
export function encodeKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return `n${value === 0 ? 0 : value}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'undefined':
      return 'z';
    case 'symbol':
      return 'e';
    default:
      return value === null ? 'z' : `j${JSON.stringify(value)}`;
  }
}

/** Can `encodeKey(value)` be looked up in an index for an equality match on `value`? */
export function isIndexableScalar(value: unknown): boolean {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

const enum Rank {
  Null = 1,
  Number = 2,
  String = 3,
  Object = 4,
  Array = 5,
  Boolean = 8,
}

function rank(value: unknown): Rank {
  switch (typeof value) {
    case 'number':
      return Rank.Number;
    case 'string':
      return Rank.String;
    case 'boolean':
      return Rank.Boolean;
    case 'object':
      if (value === null) return Rank.Null;
      return Array.isArray(value) ? Rank.Array : Rank.Object;
    default:
      return Rank.Null;
  }
}

/** Total order of JSON-like values following MongoDB's BSON comparison order. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case Rank.Null:
      return 0;
    case Rank.Number:
    case Rank.String:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case Rank.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case Rank.Array: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = Object.entries(a as PlainObject);
      const y = Object.entries(b as PlainObject);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const [xk, xv] = x[i]!;
        const [yk, yv] = y[i]!;
        const c = compareValues(xv, yv) || (xk < yk ? -1 : xk > yk ? 1 : 0);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

/**
 * The value a document sorts by for one sort key, as MongoDB does it: an array sorts by its smallest
 * element ascending and by its largest descending; missing sorts as null.
 */
export function sortValue(doc: PlainObject, path: string[], direction: 1 | -1): unknown {
  const { value, crossedArray } = getPlainPath(doc, path);
  if (!crossedArray && !Array.isArray(value)) return value === undefined ? null : value;
  const values = pathValues(doc, path).filter((v) => v !== EMPTY_ARRAY);
  if (values.length === 0) return null;
  let best = values[0];
  for (const v of values) {
    const c = compareValues(v, best);
    if (direction === 1 ? c < 0 : c > 0) best = v;
  }
  return best;
}
