import { Query, update as mingoUpdate } from 'mingo';
import { describe, expect, it } from 'vitest';
import { StoreClosedError, type Doc } from '../src';
import { createEmbeddedStore, StoreNotInitialisedError } from '../src/embedded';
import { compileFilter } from '../src/embedded/matcher';
import { applyUpdate } from '../src/embedded/updater';
import { cloneJson } from '../src/embedded/values';

// Documents with every kind of value at the compared fields: missing, null, numbers, strings,
// booleans, arrays, objects, nested paths.
const DOCS: Doc[] = [
  { _id: 'd1', a: 1, s: 'x', b: true, n: { k: 1 } },
  { _id: 'd2', a: 5, s: 'y', b: false, n: { k: 'z' } },
  { _id: 'd3', a: null, s: '', n: null },
  { _id: 'd4' },
  { _id: 'd5', a: [1, 7], s: ['x', 'q'], n: [{ k: 1 }, { k: 9 }] },
  { _id: 'd6', a: { v: 1 }, s: 10, n: { k: null } },
  { _id: 'd7', a: 0, s: 'X', b: 1 },
  { _id: 'd8', a: -3.5, s: 'xy', n: { k: [1, 2] } },
];

const FILTERS: Record<string, unknown>[] = [
  {},
  { _id: 'd1' },
  { a: 1 },
  { a: null },
  { a: 0 },
  { s: 'x' },
  { b: true },
  { b: 1 },
  { a: { $eq: 5 } },
  { a: { $ne: 1 } },
  { a: { $ne: null } },
  { a: { $gt: 0 } },
  { a: { $gte: 1, $lt: 7 } },
  { a: { $lte: 0 } },
  { s: { $gt: 'x' } },
  { s: { $lt: 'y' } },
  { s: { $gte: 'X', $lte: 'x' } },
  { a: { $in: [1, 5] } },
  { a: { $in: [null] } },
  { s: { $in: ['x', 10] } },
  { a: { $nin: [1, null] } },
  { a: { $exists: true } },
  { a: { $exists: false } },
  { 'n.k': 1 },
  { 'n.k': null },
  { 'n.k': { $gte: 1 } },
  { 'n.k': { $exists: true } },
  { a: 1, s: 'x' },
  { a: { $gt: 0 }, s: { $in: ['x', 'y'] } },
  { a: { $gt: '0' } },
];

describe('embedded fast paths agree with mingo', () => {
  it('compiled filters match exactly the documents mingo matches', () => {
    for (const filter of FILTERS) {
      const ours = compileFilter(filter);
      const reference = new Query(filter, {});
      for (const doc of DOCS) {
        expect({ filter, id: doc._id, match: ours.test(doc) }).toEqual({
          filter,
          id: doc._id,
          match: reference.test(doc),
        });
      }
    }
  });

  it('fast update operators produce what mingo produces', () => {
    const base: Doc = { _id: 'u', n: 1, s: 'm', list: ['a'], obj: { x: 1, deep: { y: 2 } }, nul: null };
    const updates: Record<string, unknown>[] = [
      { $set: { n: 2 } },
      { $set: { 'obj.deep.z': [1, { q: 1 }] } },
      { $set: { 'new.path': 1, s: 'n' } },
      { $set: { obj: { replaced: true } } },
      { $unset: { n: '', 'obj.deep.y': '', missing: '', 'no.such': '' } },
      { $inc: { n: 2, fresh: -1, 'obj.x': 0.5 } },
      { $mul: { n: 3, fresh: 2 } },
      { $min: { n: 0, s: 'a', fresh: 4 } },
      { $max: { n: 0, s: 'z' } },
      { $push: { list: 'b', fresh: { k: 1 } } },
      { $addToSet: { list: 'a' } },
      { $addToSet: { list: 'c', other: 1 } },
      { $set: { n: 1 } },
    ];
    for (const update of updates) {
      const reference = cloneJson(base);
      mingoUpdate(reference, update);
      const { doc } = applyUpdate(base, update);
      expect({ update, doc }).toEqual({ update, doc: reference });
    }
    expect(applyUpdate(base, { $set: { n: 1 } }).modified).toBe(false);
    expect(applyUpdate(base, { $inc: { n: 0 } }).modified).toBe(false);
    expect(applyUpdate(base, { $addToSet: { list: 'a' } }).modified).toBe(false);
    // Copy-on-write: the committed document is never touched.
    expect(base).toEqual({ _id: 'u', n: 1, s: 'm', list: ['a'], obj: { x: 1, deep: { y: 2 } }, nul: null });
  });

  it('rejects what MongoDB rejects even where mingo would silently ignore it', () => {
    const base: Doc = { _id: 'u', list: ['a'], s: 'm' };
    expect(() => applyUpdate(base, { $inc: { list: 1 } })).toThrow(/non-numeric/);
    expect(() => applyUpdate(base, { $push: { s: 1 } })).toThrow(/must be an array/);
  });
});

describe('embedded store', () => {
  it('answers equality and $in on _id and on leading index fields without scanning', async () => {
    const store = createEmbeddedStore();
    const levels = store.collection({
      name: 'levels',
      indexes: [{ keys: { sku: 1, locationId: 1 }, unique: true }, { keys: { status: 1 } }],
    });
    await store.init();
    const docs = [];
    for (let s = 0; s < 200; s++) {
      for (let l = 0; l < 50; l++)
        docs.push({ _id: `${s}:${l}`, sku: `S${s}`, locationId: `L${l}`, qty: 1, status: 'ok' });
    }
    await levels.insertMany(docs);
    const examined = (): number => store.docsExamined('levels');

    let before = examined();
    expect(await levels.findOne({ sku: 'S7', locationId: 'L3' })).toMatchObject({ _id: '7:3' });
    expect(examined() - before).toBe(1);

    before = examined();
    expect(await levels.countDocuments({ sku: 'S7' })).toBe(50);
    expect(examined() - before).toBe(50);

    before = examined();
    expect(
      await levels.find({ sku: { $in: ['S1', 'S2'] }, locationId: { $in: ['L1', 'L2', 'L3'] } }),
    ).toHaveLength(6);
    expect(examined() - before).toBe(6);

    before = examined();
    await levels.findOneAndUpdate({ _id: '9:9', qty: { $gte: 1 } }, { $inc: { qty: -1 } });
    await levels.find({ _id: { $in: ['1:1', '2:2', 'nope'] } });
    expect(examined() - before).toBe(3);

    // After an update moves a document to another key, the index follows it.
    await levels.updateOne({ _id: '0:0' }, { $set: { sku: 'MOVED' } });
    expect(await levels.findOne({ sku: 'MOVED' })).toMatchObject({ _id: '0:0' });
    expect(await levels.countDocuments({ sku: 'S0' })).toBe(49);

    // Without a usable index it scans (and still answers correctly).
    before = examined();
    expect(await levels.countDocuments({ locationId: 'L3' })).toBe(200);
    expect(examined() - before).toBe(docs.length);
    await store.close();
  });

  it('indexes array values per element (multikey) and keeps unique keys per element', async () => {
    const store = createEmbeddedStore();
    const products = store.collection({
      name: 'products',
      indexes: [{ keys: { barcodes: 1 }, unique: true }],
    });
    await store.init();
    await products.insertOne({ _id: 'p1', barcodes: ['111', '222'] });
    await products.insertOne({ _id: 'p2', barcodes: ['333'] });
    expect(await products.findOne({ barcodes: '222' })).toMatchObject({ _id: 'p1' });
    await expect(products.insertOne({ _id: 'p3', barcodes: ['444', '111'] })).rejects.toMatchObject({
      code: 11000,
    });
    await store.close();
  });

  it('makes a single write wait while a transaction holds the lock, and loses neither', async () => {
    const store = createEmbeddedStore();
    const counters = store.collection('counters');
    await store.init();
    await counters.insertOne({ _id: 'c', n: 0 });
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    const tx = store.withTransaction(async (session) => {
      const doc = await counters.findById('c', { session });
      await paused;
      await counters.updateOne({ _id: 'c' }, { $set: { n: (doc!.n as number) + 10 } }, { session });
    });
    await new Promise((r) => setImmediate(r));
    let singleDone = false;
    const single = counters.updateOne({ _id: 'c' }, { $inc: { n: 1 } }).then(() => (singleDone = true));
    await new Promise((r) => setImmediate(r));
    expect(singleDone).toBe(false);
    release();
    await Promise.all([tx, single]);
    expect((await counters.findById('c'))!.n).toBe(11);
    await store.close();
  });

  it('fails fast instead of deadlocking on a write without session inside a transaction', async () => {
    const store = createEmbeddedStore();
    const docs = store.collection('docs');
    await store.init();
    await expect(
      store.withTransaction(async () => {
        await docs.insertOne({ _id: 'x' });
      }),
    ).rejects.toThrow(/pass the session/);
    await expect(store.withTransaction(async () => store.withTransaction(async () => 1))).rejects.toThrow(
      /nested/,
    );
    expect(await docs.findById('x')).toBeNull();
    await docs.insertOne({ _id: 'after' });
    await store.close();
  });

  it('notifies onInsert listeners after committed inserts only', async () => {
    const store = createEmbeddedStore();
    const outbox = store.collection('outbox');
    const other = store.collection('other');
    await store.init();
    let calls = 0;
    const unsubscribe = store.onInsert('outbox', () => calls++);
    await outbox.insertOne({ _id: 'e1' });
    expect(calls).toBe(1);
    await other.insertOne({ _id: 'x' });
    await outbox.updateOne({ _id: 'e1' }, { $set: { sent: true } });
    expect(calls).toBe(1);
    await store
      .withTransaction(async (session) => {
        await outbox.insertOne({ _id: 'e2' }, { session });
        expect(calls).toBe(1);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(calls).toBe(1);
    await store.withTransaction(async (session) => {
      await outbox.insertOne({ _id: 'e3' }, { session });
      await outbox.insertOne({ _id: 'e4' }, { session });
    });
    expect(calls).toBe(2);
    unsubscribe();
    await outbox.insertOne({ _id: 'e5' });
    expect(calls).toBe(2);
    await store.close();
  });

  it('refuses work before init and after close', async () => {
    const store = createEmbeddedStore();
    const docs = store.collection('docs');
    await expect(docs.findById('x')).rejects.toBeInstanceOf(StoreNotInitialisedError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreNotInitialisedError);
    await store.init();
    await store.init();
    await docs.insertOne({ _id: 'x' });
    await store.close();
    await expect(docs.findById('x')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('fails init when a declared unique index is violated by existing data', async () => {
    const store = createEmbeddedStore();
    const users = store.collection('users');
    await store.init();
    await users.insertMany([
      { _id: 'a', email: 'same' },
      { _id: 'b', email: 'same' },
    ]);
    expect(() =>
      store.collection({ name: 'users', indexes: [{ keys: { email: 1 }, unique: true }] }),
    ).toThrow(/duplicate key/);
    await store.close();
  });
});
