import { Query } from 'mingo';
import type { Filter } from '../port';
import { encodeKey, getPlainPath, isIndexableScalar, isPlainObject, type PlainObject } from './values';

/**
 * Filter evaluation. mingo is the reference for MongoDB query semantics; compiling a mingo Query
 * costs ~10 µs, far more than the hot paths can afford (stock reservations filter by `_id` plus a
 * `$gte` guard thousands of times a second with different values). So the common shape — top-level
 * fields compared with scalars by equality, $eq/$ne/$gt/$gte/$lt/$lte/$in/$nin/$exists — is compiled
 * here into plain predicates; any other filter, or any document whose value at a compared path is an
 * array or object (where MongoDB's array semantics kick in), is evaluated by mingo, compiled lazily
 * and cached by the JSON of the filter.
 */
export interface Matcher {
  test(doc: PlainObject): boolean;
  /** Equality constraints usable for index lookups: field → encoded keys (one per $in value). */
  readonly equalities: ReadonlyMap<string, readonly string[]>;
}

type Pred = (value: unknown) => boolean;

interface Clause {
  path: string[];
  preds: Pred[];
}

const MINGO_CACHE_LIMIT = 500;
const mingoCache = new Map<string, Query>();

function mingoQuery(filter: Filter): Query {
  const key = JSON.stringify(filter);
  let query = mingoCache.get(key);
  if (query) {
    // Refresh recency (Map keeps insertion order; the first key is the least recently used).
    mingoCache.delete(key);
    mingoCache.set(key, query);
    return query;
  }
  query = new Query(filter, {});
  mingoCache.set(key, query);
  if (mingoCache.size > MINGO_CACHE_LIMIT) mingoCache.delete(mingoCache.keys().next().value!);
  return query;
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return isIndexableScalar(value);
}

/** Equality of a scalar document value with a scalar operand; null also matches missing. */
function scalarEquals(docValue: unknown, operand: string | number | boolean | null): boolean {
  return operand === null ? docValue === null || docValue === undefined : docValue === operand;
}

function comparable(operand: unknown): operand is number | string {
  return (typeof operand === 'number' && !Number.isNaN(operand)) || typeof operand === 'string';
}

/** Compiles one operator of a field condition; null when the fast path does not cover it. */
function compileOperator(op: string, operand: unknown): Pred | null {
  switch (op) {
    case '$eq':
      return isScalar(operand) ? (v) => scalarEquals(v, operand) : null;
    case '$ne':
      return isScalar(operand) ? (v) => !scalarEquals(v, operand) : null;
    case '$gt':
      return comparable(operand)
        ? (v) => typeof v === typeof operand && (v as number) > (operand as number)
        : null;
    case '$gte':
      return comparable(operand)
        ? (v) => typeof v === typeof operand && (v as number) >= (operand as number)
        : null;
    case '$lt':
      return comparable(operand)
        ? (v) => typeof v === typeof operand && (v as number) < (operand as number)
        : null;
    case '$lte':
      return comparable(operand)
        ? (v) => typeof v === typeof operand && (v as number) <= (operand as number)
        : null;
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.every(isScalar)) return null;
      const values = new Set<unknown>(operand);
      const hasNull = values.has(null);
      const within = (v: unknown): boolean => values.has(v) || (hasNull && v === undefined);
      return op === '$in' ? within : (v) => !within(v);
    }
    case '$exists':
      return typeof operand === 'boolean' ? (v) => (v !== undefined) === operand : null;
    default:
      return null;
  }
}

/** Compiled fast clauses, or null when some part of the filter needs mingo. */
function compileFast(filter: Filter): Clause[] | null {
  const clauses: Clause[] = [];
  for (const field in filter) {
    if (field.startsWith('$')) return null;
    const condition = filter[field];
    const path = field.split('.');
    if (isScalar(condition)) {
      clauses.push({ path, preds: [(v) => scalarEquals(v, condition)] });
      continue;
    }
    if (!isPlainObject(condition)) return null;
    const ops = Object.keys(condition);
    if (ops.length === 0 || !ops.every((op) => op.startsWith('$'))) return null;
    const preds: Pred[] = [];
    for (const op of ops) {
      const pred = compileOperator(op, condition[op]);
      if (!pred) return null;
      preds.push(pred);
    }
    clauses.push({ path, preds });
  }
  return clauses;
}

/** Top-level (and `$and`-nested) equality / `$in` constraints on scalar values, for index lookups. */
function collectEqualities(filter: Filter, out: Map<string, string[]>): void {
  for (const field in filter) {
    const condition = filter[field];
    if (field === '$and' && Array.isArray(condition)) {
      for (const sub of condition) if (isPlainObject(sub)) collectEqualities(sub, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    let keys: string[] | null = null;
    if (isScalar(condition)) keys = [encodeKey(condition)];
    else if (isPlainObject(condition)) {
      if ('$eq' in condition && isScalar(condition.$eq)) keys = [encodeKey(condition.$eq)];
      else if (Array.isArray(condition.$in) && condition.$in.every(isScalar)) {
        keys = [...new Set(condition.$in.map(encodeKey))];
      }
    }
    if (!keys) continue;
    const previous = out.get(field);
    // Two constraints on one field (e.g. via $and): keep the intersection.
    out.set(field, previous ? previous.filter((k) => keys.includes(k)) : keys);
  }
}

class CompiledMatcher implements Matcher {
  readonly equalities: ReadonlyMap<string, readonly string[]>;
  private mingo: Query | null = null;

  constructor(
    private readonly filter: Filter,
    private readonly clauses: Clause[] | null,
  ) {
    const equalities = new Map<string, string[]>();
    collectEqualities(filter, equalities);
    this.equalities = equalities;
  }

  test(doc: PlainObject): boolean {
    const clauses = this.clauses;
    if (clauses) {
      let allFast = true;
      for (let i = 0; i < clauses.length && allFast; i++) {
        const clause = clauses[i]!;
        const { value, crossedArray } =
          clause.path.length === 1
            ? { value: doc[clause.path[0]!], crossedArray: false }
            : getPlainPath(doc, clause.path);
        if (crossedArray || (typeof value === 'object' && value !== null)) {
          allFast = false;
          break;
        }
        for (const pred of clause.preds) if (!pred(value)) return false;
      }
      if (allFast) return true;
    }
    this.mingo ??= mingoQuery(this.filter);
    return this.mingo.test(doc);
  }
}

export function compileFilter(filter: Filter): Matcher {
  if (!isPlainObject(filter)) throw new TypeError('filter must be a plain object');
  return new CompiledMatcher(filter, compileFast(filter));
}
