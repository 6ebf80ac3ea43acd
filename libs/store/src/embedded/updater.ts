import { update as mingoUpdate } from 'mingo';
import type { Doc, Filter, Update } from '../port';
import { cloneJson, compareValues, deepEqual, isPlainObject, type PlainObject } from './values';

/**
 * Update operators. mingo is the reference implementation, but its `update()` costs ~50 µs a call
 * (it rebuilds its operator context each time), so the operators hot paths use — $set, $unset, $inc,
 * $mul, $min, $max, $push of one value, $addToSet of one scalar — are applied here directly on plain
 * (non-array) paths with copy-on-write of the objects along each path. Anything else ($pull, $pop,
 * $rename, $each, positional paths, array indexes, ...) goes to mingo on a deep copy. $setOnInsert is
 * handled here because mingo does not know it.
 */

const FAST_OPS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$addToSet',
  '$setOnInsert',
]);

export class UpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateError';
  }
}

/** Throws unless `update` is a non-empty document of update operators (no replacement documents). */
export function validateUpdate(update: Update): void {
  if (!isPlainObject(update)) throw new UpdateError('update must be a plain object');
  const ops = Object.keys(update);
  if (ops.length === 0) throw new UpdateError('update document requires atomic operators');
  const paths: string[] = [];
  for (const op of ops) {
    if (!op.startsWith('$')) throw new UpdateError(`update document requires atomic operators (found ${op})`);
    const fields = update[op];
    if (!isPlainObject(fields))
      throw new UpdateError(`modifiers operate on fields but ${op} has no document`);
    for (const field in fields) {
      if (field === '' || field.startsWith('.') || field.endsWith('.')) {
        throw new UpdateError(`invalid update path '${field}'`);
      }
      paths.push(field);
      if (op === '$rename' && typeof fields[field] === 'string') paths.push(fields[field]);
    }
  }
  // MongoDB rejects updates that touch one path twice or a path and its parent.
  paths.sort();
  for (let i = 1; i < paths.length; i++) {
    const prev = paths[i - 1]!;
    const cur = paths[i]!;
    if (cur === prev || cur.startsWith(`${prev}.`)) {
      throw new UpdateError(`updating the path '${cur}' would create a conflict at '${prev}'`);
    }
  }
}

const BAIL = Symbol('bail');

function isSimpleSegment(segment: string): boolean {
  return segment.length > 0 && !segment.startsWith('$') && !/^\d+$/.test(segment);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Applies the operators with copy-on-write. Returns the new document and whether anything changed, or
 * BAIL when some part needs mingo (the input is never mutated, so bailing is always safe).
 */
function applyFast(
  prev: PlainObject,
  update: Update,
  isInsert: boolean,
): { doc: PlainObject; modified: boolean } | typeof BAIL {
  const root: PlainObject = { ...prev };
  const copied = new Set<PlainObject>([root]);
  let modified = false;

  /** Parent object of the leaf of `path`, copied on write; null if missing and not created. */
  const parentOf = (path: string[], create: boolean): PlainObject | null | typeof BAIL => {
    let obj = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      let child = obj[key];
      if (child === undefined || child === null) {
        if (!create) return null;
        if (child === null) return BAIL; // MongoDB refuses to create a field inside null
        child = {};
        obj[key] = child;
        copied.add(child as PlainObject);
      } else if (!isPlainObject(child)) {
        return BAIL;
      } else if (!copied.has(child)) {
        child = { ...child };
        obj[key] = child;
        copied.add(child as PlainObject);
      }
      obj = child as PlainObject;
    }
    return obj;
  };

  for (const op in update) {
    if (!FAST_OPS.has(op)) return BAIL;
    if (op === '$setOnInsert' && !isInsert) continue;
    const fields = update[op] as PlainObject;
    for (const field in fields) {
      const operand = fields[field];
      if (operand === undefined) continue; // like the driver with ignoreUndefined
      const path = field.split('.');
      if (!path.every(isSimpleSegment)) return BAIL;
      const parent = parentOf(path, op !== '$unset');
      if (parent === BAIL) return BAIL;
      const leaf = path[path.length - 1]!;
      if (parent === null) continue; // $unset of a missing path
      const old = parent[leaf];
      switch (op) {
        case '$set':
        case '$setOnInsert': {
          if (!deepEqual(old, operand)) {
            parent[leaf] = cloneJson(operand);
            modified = true;
          }
          break;
        }
        case '$unset':
          if (leaf in parent) {
            delete parent[leaf];
            modified = true;
          }
          break;
        case '$inc':
        case '$mul': {
          if (typeof operand !== 'number') throw new UpdateError(`cannot ${op} with non-numeric argument`);
          if (old !== undefined && typeof old !== 'number') {
            throw new UpdateError(
              `cannot apply ${op} to a value of non-numeric type ${typeName(old)} at '${field}'`,
            );
          }
          const next = op === '$inc' ? (old ?? 0) + operand : (old ?? 0) * operand;
          if (old === undefined || next !== old) {
            parent[leaf] = next;
            modified = true;
          }
          break;
        }
        case '$min':
        case '$max': {
          if (old === undefined) {
            parent[leaf] = cloneJson(operand);
            modified = true;
            break;
          }
          const sameKind =
            (typeof old === 'number' && typeof operand === 'number') ||
            (typeof old === 'string' && typeof operand === 'string');
          if (!sameKind) return BAIL;
          const c = compareValues(operand, old);
          if (op === '$min' ? c < 0 : c > 0) {
            parent[leaf] = operand;
            modified = true;
          }
          break;
        }
        case '$push':
        case '$addToSet': {
          if (isPlainObject(operand) && Object.keys(operand).some((k) => k.startsWith('$'))) return BAIL;
          if (op === '$addToSet' && typeof operand === 'object' && operand !== null) return BAIL;
          if (old !== undefined && !Array.isArray(old)) {
            throw new UpdateError(`the field '${field}' must be an array but is of type ${typeName(old)}`);
          }
          const list = (old as unknown[] | undefined) ?? [];
          if (op === '$addToSet' && list.includes(operand)) break;
          parent[leaf] = [...list, cloneJson(operand)];
          modified = true;
          break;
        }
      }
    }
  }
  return { doc: root, modified };
}

/**
 * Applies `update` to a committed document without mutating it. Throws UpdateError for updates that
 * MongoDB rejects (including any change of `_id`).
 */
export function applyUpdate(
  prev: PlainObject,
  update: Update,
  isInsert = false,
): { doc: Doc; modified: boolean } {
  const fast = applyFast(prev, update, isInsert);
  let result: { doc: PlainObject; modified: boolean };
  if (fast !== BAIL) {
    result = fast;
  } else {
    const doc = cloneJson(prev) as PlainObject;
    const modifier: PlainObject = { ...update };
    const onInsert = modifier.$setOnInsert;
    delete modifier.$setOnInsert;
    let changed: string[] = [];
    if (Object.keys(modifier).length > 0) {
      try {
        changed = mingoUpdate(doc, modifier);
      } catch (err) {
        throw new UpdateError((err as Error).message);
      }
    }
    if (isInsert && isPlainObject(onInsert)) {
      const inserted = applyFast(doc, { $set: onInsert }, true);
      if (inserted === BAIL) throw new UpdateError('unsupported $setOnInsert path');
      Object.assign(doc, inserted.doc);
    }
    result = { doc: cloneJson(doc), modified: changed.length > 0 || isInsert };
  }
  if (result.doc._id !== prev._id && !(isInsert && prev._id === undefined)) {
    throw new UpdateError("performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return result as { doc: Doc; modified: boolean };
}

/**
 * The document an upsert starts from: the filter's equality fields (top level and inside $and),
 * as MongoDB seeds it.
 */
export function seedFromFilter(filter: Filter): PlainObject {
  const seed: PlainObject = {};
  const visit = (f: Filter): void => {
    for (const field in f) {
      const condition = f[field];
      if (field === '$and' && Array.isArray(condition)) {
        for (const sub of condition) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (field.startsWith('$')) continue;
      let value: unknown;
      if (isPlainObject(condition) && Object.keys(condition).some((k) => k.startsWith('$'))) {
        if (!('$eq' in condition)) continue;
        value = condition.$eq;
      } else {
        value = condition;
      }
      setPath(seed, field.split('.'), cloneJson(value));
    }
  };
  visit(filter);
  return seed;
}

function setPath(target: PlainObject, path: string[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const child = obj[key];
    if (!isPlainObject(child)) obj[key] = {};
    obj = obj[key] as PlainObject;
  }
  obj[path[path.length - 1]!] = value;
}
