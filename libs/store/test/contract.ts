import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidCursorError,
  isDuplicateKeyError,
  TransientTransactionError,
  type Doc,
  type DocumentStore,
  type Session,
} from '../src';

/**
 * The document-store contract: every adapter must pass all of it with identical results. Each test
 * works on its own collections (unique names), so one store serves the whole suite.
 */
export function runStoreContract(name: string, makeStore: () => Promise<DocumentStore>): void {
  describe(name, () => {
    let store: DocumentStore;
    let seq = 0;
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    /** A fresh collection name for the calling test. */
    const fresh = (label: string): string => `c_${run}_${++seq}_${label}`;

    beforeAll(async () => {
      store = await makeStore();
      await store.init();
    });
    afterAll(async () => {
      await store?.close();
    });

    const deferred = (): { promise: Promise<void>; resolve: () => void } => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    };

    describe('CRUD', () => {
      it('inserts, reads back copies, counts, updates and deletes', async () => {
        const people = store.collection<Doc & { name: string; age?: number; tags?: string[] }>(fresh('crud'));
        const input = { _id: 'p1', name: 'Ada', age: 36, tags: ['math'] };
        const inserted = await people.insertOne(input);
        expect(inserted).toEqual(input);
        input.tags.push('mutated after insert');
        await people.insertMany([
          { _id: 'p2', name: 'Grace', age: 45 },
          { _id: 'p3', name: 'Alan', age: 41 },
        ]);

        const ada = await people.findById('p1');
        expect(ada).toEqual({ _id: 'p1', name: 'Ada', age: 36, tags: ['math'] });
        ada!.tags!.push('mutating a returned doc');
        expect((await people.findById('p1'))!.tags).toEqual(['math']);

        expect(await people.findById('missing')).toBeNull();
        expect(await people.findOne({ name: 'Grace' })).toMatchObject({ _id: 'p2' });
        expect(await people.findOne({ name: 'Nobody' })).toBeNull();
        expect(await people.countDocuments({})).toBe(3);
        expect(await people.countDocuments({ age: { $gt: 40 } })).toBe(2);

        expect(await people.updateOne({ _id: 'p3' }, { $set: { age: 42 } })).toEqual({
          matchedCount: 1,
          modifiedCount: 1,
        });
        expect(await people.updateOne({ _id: 'p3' }, { $set: { age: 42 } })).toEqual({
          matchedCount: 1,
          modifiedCount: 0,
        });
        expect(await people.updateOne({ _id: 'nope' }, { $set: { age: 1 } })).toEqual({
          matchedCount: 0,
          modifiedCount: 0,
        });
        expect(await people.updateMany({ age: { $gte: 40 } }, { $inc: { age: 1 } })).toEqual({
          matchedCount: 2,
          modifiedCount: 2,
        });
        expect((await people.find({ age: { $gte: 40 } }, { sort: { _id: 1 } })).map((p) => p.age)).toEqual([
          46, 43,
        ]);

        expect(await people.replaceOne({ _id: 'p2' }, { _id: 'p2', name: 'Grace Hopper' })).toEqual({
          matchedCount: 1,
          modifiedCount: 1,
        });
        expect(await people.findById('p2')).toEqual({ _id: 'p2', name: 'Grace Hopper' });

        expect(await people.deleteOne({ name: 'Nobody' })).toBe(0);
        expect(await people.deleteOne({ _id: 'p1' })).toBe(1);
        expect(await people.deleteMany({})).toBe(2);
        expect(await people.countDocuments({})).toBe(0);
      });

      it('rejects updates that are not operator documents or that change _id', async () => {
        const things = store.collection(fresh('badupdate'));
        await things.insertOne({ _id: 't1', n: 1 });
        await expect(things.updateOne({ _id: 't1' }, { n: 2 })).rejects.toThrow();
        await expect(things.updateOne({ _id: 't1' }, { $set: { _id: 'other' } })).rejects.toThrow();
        await expect(things.updateOne({ _id: 't1' }, { $set: { n: 1 }, $inc: { n: 1 } })).rejects.toThrow();
        await expect(things.updateOne({ _id: 't1' }, { $inc: { n: 'x' } })).rejects.toThrow();
        expect(await things.findById('t1')).toEqual({ _id: 't1', n: 1 });
      });
    });

    describe('query and update operators', () => {
      it('evaluates comparison, logical, element and array operators like MongoDB', async () => {
        const items = store.collection(fresh('query'));
        await items.insertMany([
          { _id: 'a', n: 1, s: 'x', tags: ['red', 'blue'], nested: { k: 1 }, lines: [{ sku: 'A', q: 1 }] },
          { _id: 'b', n: 5, s: 'y', tags: ['green'], nested: { k: 2 }, lines: [{ sku: 'B', q: 5 }] },
          { _id: 'c', n: 10, s: 'z', nested: { k: 3 }, opt: null, lines: [] },
          { _id: 'd', s: 'w', lines: [{ sku: 'A', q: 7 }] },
        ]);
        const ids = async (filter: Record<string, unknown>): Promise<string[]> =>
          (await items.find(filter, { sort: { _id: 1 } })).map((d) => d._id);

        expect(await ids({ n: { $gte: 5 } })).toEqual(['b', 'c']);
        expect(await ids({ n: { $gt: 1, $lt: 10 } })).toEqual(['b']);
        expect(await ids({ n: { $lte: 5 } })).toEqual(['a', 'b']);
        expect(await ids({ n: { $ne: 5 } })).toEqual(['a', 'c', 'd']);
        expect(await ids({ s: { $in: ['x', 'z'] } })).toEqual(['a', 'c']);
        expect(await ids({ s: { $nin: ['x', 'z'] } })).toEqual(['b', 'd']);
        expect(await ids({ n: { $exists: false } })).toEqual(['d']);
        expect(await ids({ opt: null })).toEqual(['a', 'b', 'c', 'd']);
        expect(await ids({ opt: { $exists: true } })).toEqual(['c']);
        expect(await ids({ tags: 'red' })).toEqual(['a']);
        expect(await ids({ tags: { $in: ['green', 'blue'] } })).toEqual(['a', 'b']);
        expect(await ids({ 'nested.k': { $gte: 2 } })).toEqual(['b', 'c']);
        expect(await ids({ 'lines.sku': 'A' })).toEqual(['a', 'd']);
        expect(await ids({ lines: { $elemMatch: { sku: 'A', q: { $gt: 5 } } } })).toEqual(['d']);
        expect(await ids({ $or: [{ n: 1 }, { s: 'w' }] })).toEqual(['a', 'd']);
        expect(await ids({ $and: [{ n: { $gt: 1 } }, { s: { $ne: 'z' } }] })).toEqual(['b']);
        expect(await ids({ n: 'x' })).toEqual([]);
        expect(await ids({ s: { $gt: 'x' } })).toEqual(['b', 'c']);
      });

      it('applies $inc $set $unset $push $pull $addToSet $min $max $mul $rename', async () => {
        const docs = store.collection(fresh('update'));
        await docs.insertOne({ _id: 'u', n: 1, tags: ['a'], m: { x: 1 }, lo: 5, hi: 5, gone: true });
        const after = await docs.findOneAndUpdate(
          { _id: 'u' },
          {
            $inc: { n: 2, fresh: 1 },
            $set: { 'm.y': 2, label: 'L' },
            $unset: { gone: '' },
            $push: { tags: 'b' },
            $min: { lo: 3 },
            $max: { hi: 9 },
          },
        );
        expect(after).toEqual({
          _id: 'u',
          n: 3,
          fresh: 1,
          tags: ['a', 'b'],
          m: { x: 1, y: 2 },
          lo: 3,
          hi: 9,
          label: 'L',
        });
        await docs.updateOne({ _id: 'u' }, { $addToSet: { tags: 'a' } });
        await docs.updateOne({ _id: 'u' }, { $addToSet: { tags: 'c' } });
        await docs.updateOne({ _id: 'u' }, { $pull: { tags: 'b' } });
        await docs.updateOne({ _id: 'u' }, { $push: { tags: { $each: ['d', 'e'] } } });
        await docs.updateOne({ _id: 'u' }, { $mul: { n: 2 }, $rename: { label: 'title' } });
        await docs.updateOne({ _id: 'u' }, { $min: { hi: 100 }, $max: { lo: -1 } });
        expect(await docs.findById('u')).toEqual({
          _id: 'u',
          n: 6,
          fresh: 1,
          tags: ['a', 'c', 'd', 'e'],
          m: { x: 1, y: 2 },
          lo: 3,
          hi: 9,
          title: 'L',
        });
        await docs.updateOne({ _id: 'u' }, { $pull: { lines: { sku: 'A' } }, $set: { lines2: 1 } });
        await docs.insertOne({ _id: 'v', lines: [{ sku: 'A' }, { sku: 'B' }] });
        await docs.updateOne({ _id: 'v' }, { $pull: { lines: { sku: 'A' } } });
        expect(await docs.findById('v')).toEqual({ _id: 'v', lines: [{ sku: 'B' }] });
      });

      it('findOneAndUpdate returns before/after, honours sort, returns null when nothing matches', async () => {
        const jobs = store.collection(fresh('foau'));
        await jobs.insertMany([
          { _id: 'j1', state: 'queued', prio: 2 },
          { _id: 'j2', state: 'queued', prio: 1 },
          { _id: 'j3', state: 'queued', prio: 3 },
        ]);
        const before = await jobs.findOneAndUpdate(
          { state: 'queued' },
          { $set: { state: 'running' } },
          { sort: { prio: -1 }, returnDocument: 'before' },
        );
        expect(before).toEqual({ _id: 'j3', state: 'queued', prio: 3 });
        const after = await jobs.findOneAndUpdate(
          { state: 'queued' },
          { $set: { state: 'running' } },
          { sort: { prio: 1 } },
        );
        expect(after).toEqual({ _id: 'j2', state: 'running', prio: 1 });
        expect(await jobs.findOneAndUpdate({ state: 'done' }, { $set: { x: 1 } })).toBeNull();
      });
    });

    describe('sort, limit, skip, projection', () => {
      it('sorts on several keys, pages with skip/limit and projects', async () => {
        const rows = store.collection(fresh('sort'));
        await rows.insertMany([
          { _id: 'r1', g: 'b', n: 2, extra: { a: 1, b: 2 } },
          { _id: 'r2', g: 'a', n: 3, extra: { a: 3, b: 4 } },
          { _id: 'r3', g: 'b', n: 1, extra: { a: 5, b: 6 } },
          { _id: 'r4', g: 'a', n: 9, extra: { a: 7, b: 8 } },
          { _id: 'r5', g: 'c', extra: { a: 9, b: 0 } },
        ]);
        const all = await rows.find({}, { sort: { g: 1, n: -1 } });
        expect(all.map((r) => r._id)).toEqual(['r4', 'r2', 'r1', 'r3', 'r5']);
        expect((await rows.find({}, { sort: { n: 1 } })).map((r) => r._id)).toEqual([
          'r5',
          'r3',
          'r1',
          'r2',
          'r4',
        ]);
        expect((await rows.find({}, { sort: { g: 1, n: -1 }, skip: 1, limit: 2 })).map((r) => r._id)).toEqual(
          ['r2', 'r1'],
        );
        expect((await rows.find({}, { sort: { _id: -1 }, limit: 2 })).map((r) => r._id)).toEqual([
          'r5',
          'r4',
        ]);
        expect(await rows.find({ _id: 'r1' }, { projection: { n: 1 } })).toEqual([{ _id: 'r1', n: 2 }]);
        expect(await rows.find({ _id: 'r1' }, { projection: { n: 1, _id: 0 } })).toEqual([{ n: 2 }]);
        expect(await rows.find({ _id: 'r1' }, { projection: { extra: 0, g: 0 } })).toEqual([
          { _id: 'r1', n: 2 },
        ]);
        expect(await rows.findOne({ _id: 'r2' }, { projection: { 'extra.b': 1 } })).toEqual({
          _id: 'r2',
          extra: { b: 4 },
        });
        expect(await rows.findOne({ g: 'b' }, { sort: { n: 1 }, projection: { _id: 1 } })).toEqual({
          _id: 'r3',
        });
      });
    });

    describe('upsert', () => {
      it('seeds the new document from the filter equality fields and $setOnInsert', async () => {
        const stock = store.collection(fresh('upsert'));
        const res = await stock.updateOne(
          { _id: 'A:L1', sku: 'A', locationId: { $eq: 'L1' }, onHand: { $gte: 0 } },
          { $inc: { onHand: 5 }, $setOnInsert: { reserved: 0 } },
          { upsert: true },
        );
        expect(res).toEqual({ matchedCount: 0, modifiedCount: 0, upsertedId: 'A:L1' });
        expect(await stock.findById('A:L1')).toEqual({
          _id: 'A:L1',
          sku: 'A',
          locationId: 'L1',
          onHand: 5,
          reserved: 0,
        });
        const again = await stock.updateOne(
          { _id: 'A:L1', sku: 'A' },
          { $inc: { onHand: 5 }, $setOnInsert: { reserved: 99 } },
          { upsert: true },
        );
        expect(again).toEqual({ matchedCount: 1, modifiedCount: 1 });
        expect(await stock.findById('A:L1')).toMatchObject({ onHand: 10, reserved: 0 });

        const created = await stock.findOneAndUpdate(
          { _id: 'B:L1', sku: 'B' },
          { $set: { onHand: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
        expect(created).toEqual({ _id: 'B:L1', sku: 'B', onHand: 1 });
        expect(
          await stock.findOneAndUpdate(
            { _id: 'C:L1' },
            { $set: { onHand: 1 } },
            { upsert: true, returnDocument: 'before' },
          ),
        ).toBeNull();
        expect(await stock.findById('C:L1')).toEqual({ _id: 'C:L1', onHand: 1 });

        const generated = await stock.updateOne({ sku: 'D' }, { $set: { onHand: 2 } }, { upsert: true });
        expect(typeof generated.upsertedId).toBe('string');
        expect(await stock.findById(generated.upsertedId!)).toEqual({
          _id: generated.upsertedId,
          sku: 'D',
          onHand: 2,
        });

        const replaced = await stock.replaceOne(
          { _id: 'E:L1' },
          { _id: 'E:L1', onHand: 3 },
          { upsert: true },
        );
        expect(replaced.upsertedId).toBe('E:L1');
        expect(await stock.findById('E:L1')).toEqual({ _id: 'E:L1', onHand: 3 });
      });
    });

    describe('page()', () => {
      it('walks every document exactly once across pages, with inserts in between', async () => {
        const events = store.collection(fresh('page'));
        await events.insertMany(
          Array.from({ length: 25 }, (_, i) => ({ _id: `e${String(i).padStart(3, '0')}`, n: i })),
        );
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: { items: Doc[]; nextCursor: string | null } = await events.page(
            {},
            { limit: 10, cursor },
          );
          seen.push(...page.items.map((d) => d._id));
          cursor = page.nextCursor;
          pages++;
          if (pages === 1) {
            // One behind the cursor (never seen), one ahead of it (seen on a later page).
            await events.insertOne({ _id: 'e000a', n: -1 });
            await events.insertOne({ _id: 'e999', n: 999 });
          }
          expect(page.items.length).toBeLessThanOrEqual(10);
        } while (cursor);
        expect(pages).toBe(3);
        const expected = [...Array.from({ length: 25 }, (_, i) => `e${String(i).padStart(3, '0')}`), 'e999'];
        expect(seen).toEqual(expected);
      });

      it('orders by another field with ties broken by _id, both directions, with a filter', async () => {
        const orders = store.collection(fresh('page2'));
        const docs = Array.from({ length: 30 }, (_, i) => ({
          _id: `o${String(i).padStart(2, '0')}`,
          createdAt: `2024-01-0${(i % 3) + 1}T00:00:00.000Z`,
          store: i % 2 === 0 ? 'S1' : 'S2',
        }));
        await orders.insertMany(docs);
        for (const direction of [1, -1] as const) {
          const seen: Doc[] = [];
          let cursor: string | null = null;
          do {
            const page: { items: Doc[]; nextCursor: string | null } = await orders.page(
              { store: 'S1' },
              { limit: 4, cursor, sortField: 'createdAt', direction },
            );
            seen.push(...page.items);
            cursor = page.nextCursor;
          } while (cursor);
          const expected = docs
            .filter((d) => d.store === 'S1')
            .sort(
              (a, b) => (a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id)) * direction,
            );
          expect(seen.map((d) => d._id)).toEqual(expected.map((d) => d._id));
        }
        const last = await orders.page({ store: 'S1' }, { limit: 1000 });
        expect(last.items).toHaveLength(15);
        expect(last.nextCursor).toBeNull();
      });

      it('validates the limit and the cursor', async () => {
        const things = store.collection(fresh('page3'));
        await things.insertMany([{ _id: 'a' }, { _id: 'b' }]);
        await expect(things.page({}, { limit: 0 })).rejects.toBeInstanceOf(RangeError);
        await expect(things.page({}, { limit: 1001 })).rejects.toBeInstanceOf(RangeError);
        await expect(things.page({}, { limit: 1.5 })).rejects.toBeInstanceOf(RangeError);
        await expect(things.page({}, { limit: 1, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        const first = await things.page({}, { limit: 1 });
        await expect(
          things.page({}, { limit: 1, cursor: first.nextCursor, direction: -1 }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('atomic conditional update', () => {
      it('1,000 concurrent reservations against 500 units: exactly 500 succeed, never negative', async () => {
        const stock = store.collection<Doc & { qty: number }>(fresh('stock'));
        await stock.insertOne({ _id: 'sku-1', qty: 500 });
        const results = await Promise.all(
          Array.from({ length: 1000 }, () =>
            stock.findOneAndUpdate({ _id: 'sku-1', qty: { $gte: 1 } }, { $inc: { qty: -1 } }),
          ),
        );
        const succeeded = results.filter((r) => r !== null);
        expect(succeeded).toHaveLength(500);
        expect(succeeded.every((r) => r!.qty >= 0)).toBe(true);
        expect(new Set(succeeded.map((r) => r!.qty)).size).toBe(500);
        expect((await stock.findById('sku-1'))!.qty).toBe(0);
      });
    });

    describe('unique indexes', () => {
      it('rejects duplicates on single and compound unique indexes and on _id, writing nothing', async () => {
        const users = store.collection({
          name: fresh('users'),
          indexes: [{ keys: { email: 1 }, unique: true }],
        });
        const levels = store.collection({
          name: fresh('levels'),
          indexes: [{ keys: { sku: 1, locationId: 1 }, unique: true }, { keys: { locationId: 1 } }],
        });
        await users.insertOne({ _id: 'u1', email: 'a@x.io' });
        const dup = await users.insertOne({ _id: 'u2', email: 'a@x.io' }).catch((e: unknown) => e);
        expect(isDuplicateKeyError(dup)).toBe(true);
        expect((dup as { code: number }).code).toBe(11000);
        expect(await users.findById('u2')).toBeNull();
        await expect(users.insertOne({ _id: 'u1', email: 'other@x.io' })).rejects.toSatisfy(
          isDuplicateKeyError,
        );
        expect(await users.countDocuments({})).toBe(1);

        await users.insertOne({ _id: 'u3', email: 'b@x.io' });
        await expect(users.updateOne({ _id: 'u3' }, { $set: { email: 'a@x.io' } })).rejects.toSatisfy(
          isDuplicateKeyError,
        );
        expect((await users.findById('u3'))!.email).toBe('b@x.io');
        await expect(
          users.findOneAndUpdate({ _id: 'u9' }, { $set: { email: 'b@x.io' } }, { upsert: true }),
        ).rejects.toSatisfy(isDuplicateKeyError);
        expect(await users.findById('u9')).toBeNull();

        await levels.insertOne({ _id: 'l1', sku: 'A', locationId: 'L1' });
        await levels.insertOne({ _id: 'l2', sku: 'A', locationId: 'L2' });
        await levels.insertOne({ _id: 'l3', sku: 'B', locationId: 'L1' });
        await expect(levels.insertOne({ _id: 'l4', sku: 'A', locationId: 'L1' })).rejects.toSatisfy(
          isDuplicateKeyError,
        );
        expect(await levels.countDocuments({})).toBe(3);
        expect((await levels.find({ locationId: 'L1' }, { sort: { _id: 1 } })).map((d) => d._id)).toEqual([
          'l1',
          'l3',
        ]);

        // Freeing a key makes it usable again.
        await users.deleteOne({ _id: 'u1' });
        await users.insertOne({ _id: 'u5', email: 'a@x.io' });
        expect(await users.findOne({ email: 'a@x.io' })).toMatchObject({ _id: 'u5' });
      });

      it('an ordered insertMany stops at the duplicate and keeps the documents before it', async () => {
        const tags = store.collection({
          name: fresh('tags'),
          indexes: [{ keys: { label: 1 }, unique: true }],
        });
        await expect(
          tags.insertMany([
            { _id: 't1', label: 'x' },
            { _id: 't2', label: 'x' },
            { _id: 't3', label: 'y' },
          ]),
        ).rejects.toSatisfy(isDuplicateKeyError);
        expect((await tags.find({}, { sort: { _id: 1 } })).map((d) => d._id)).toEqual(['t1']);
      });
    });

    describe('transactions', () => {
      it('rolls back everything when the callback throws; readers outside never see uncommitted data', async () => {
        const accounts = store.collection(fresh('acct'));
        const ledger = store.collection(fresh('ledger'));
        await accounts.insertOne({ _id: 'a1', balance: 100 });
        const wrote = deferred();
        const resume = deferred();
        const tx = store.withTransaction(async (session) => {
          await accounts.updateOne({ _id: 'a1' }, { $inc: { balance: -30 } }, { session });
          await ledger.insertOne({ _id: 'm1', amount: -30 }, { session });
          expect((await accounts.findById('a1', { session }))!.balance).toBe(70);
          expect(await ledger.countDocuments({}, { session })).toBe(1);
          wrote.resolve();
          await resume.promise;
          throw new Error('payment declined');
        });
        await wrote.promise;
        expect((await accounts.findById('a1'))!.balance).toBe(100);
        expect(await ledger.findById('m1')).toBeNull();
        expect(await ledger.countDocuments({})).toBe(0);
        resume.resolve();
        await expect(tx).rejects.toThrow('payment declined');
        expect((await accounts.findById('a1'))!.balance).toBe(100);
        expect(await ledger.countDocuments({})).toBe(0);
      });

      it('commits all writes across collections atomically and returns the callback result', async () => {
        const orders = store.collection(fresh('orders'));
        const outbox = store.collection(fresh('outbox'));
        const stock = store.collection(fresh('stock2'));
        await stock.insertOne({ _id: 's1', available: 3 });
        const wrote = deferred();
        const resume = deferred();
        const tx = store.withTransaction(async (session) => {
          const reserved = await stock.findOneAndUpdate(
            { _id: 's1', available: { $gte: 2 } },
            { $inc: { available: -2 } },
            { session },
          );
          expect(reserved).toMatchObject({ available: 1 });
          await orders.insertOne({ _id: 'o1', status: 'reserved' }, { session });
          await outbox.insertOne({ _id: 'ev1', type: 'reserved' }, { session });
          wrote.resolve();
          await resume.promise;
          return 'o1';
        });
        await wrote.promise;
        expect(await orders.findById('o1')).toBeNull();
        expect((await stock.findById('s1'))!.available).toBe(3);
        resume.resolve();
        expect(await tx).toBe('o1');
        expect(await orders.findById('o1')).toMatchObject({ status: 'reserved' });
        expect(await outbox.findById('ev1')).toMatchObject({ type: 'reserved' });
        expect((await stock.findById('s1'))!.available).toBe(1);
      });

      it('a duplicate key inside a transaction aborts the whole transaction', async () => {
        const users = store.collection({
          name: fresh('txusers'),
          indexes: [{ keys: { email: 1 }, unique: true }],
        });
        const audit = store.collection(fresh('txaudit'));
        await users.insertOne({ _id: 'u1', email: 'a@x.io' });
        await expect(
          store.withTransaction(async (session) => {
            await audit.insertOne({ _id: 'log1' }, { session });
            await users.insertOne({ _id: 'u2', email: 'b@x.io' }, { session });
            await users.insertOne({ _id: 'u3', email: 'b@x.io' }, { session });
          }),
        ).rejects.toSatisfy(isDuplicateKeyError);
        expect(await audit.countDocuments({})).toBe(0);
        expect(await users.countDocuments({})).toBe(1);

        // Unique keys are checked across committed data and the transaction's own writes.
        await store.withTransaction(async (session) => {
          await users.updateOne({ _id: 'u1' }, { $set: { email: 'moved@x.io' } }, { session });
          await users.insertOne({ _id: 'u4', email: 'a@x.io' }, { session });
        });
        expect(await users.findOne({ email: 'a@x.io' })).toMatchObject({ _id: 'u4' });
      });

      it('sees its own writes through filters, sorts and deletes', async () => {
        const items = store.collection({ name: fresh('txread'), indexes: [{ keys: { kind: 1 } }] });
        await items.insertMany([
          { _id: 'i1', kind: 'a', n: 1 },
          { _id: 'i2', kind: 'b', n: 2 },
        ]);
        await store.withTransaction(async (session) => {
          await items.insertOne({ _id: 'i3', kind: 'a', n: 3 }, { session });
          await items.updateOne({ _id: 'i2' }, { $set: { kind: 'a' } }, { session });
          await items.deleteOne({ _id: 'i1' }, { session });
          const seen = await items.find({ kind: 'a' }, { session, sort: { n: -1 } });
          expect(seen.map((d) => d._id)).toEqual(['i3', 'i2']);
          expect(await items.findById('i1', { session })).toBeNull();
          expect(await items.countDocuments({}, { session })).toBe(2);
          const page = await items.page({ kind: 'a' }, { limit: 10, session });
          expect(page.items.map((d) => d._id)).toEqual(['i2', 'i3']);
        });
        expect((await items.find({ kind: 'a' }, { sort: { _id: 1 } })).map((d) => d._id)).toEqual([
          'i2',
          'i3',
        ]);
      });

      it('concurrent read-modify-write transactions on one document lose no update', async () => {
        const counters = store.collection<Doc & { value: number }>(fresh('counter'));
        await counters.insertOne({ _id: 'c', value: 0 });
        const workers = 10;
        await Promise.all(
          Array.from({ length: workers }, () =>
            store.withTransaction(
              async (session) => {
                const current = await counters.findById('c', { session });
                await counters.updateOne({ _id: 'c' }, { $set: { value: current!.value + 1 } }, { session });
              },
              { maxAttempts: 50 },
            ),
          ),
        );
        expect((await counters.findById('c'))!.value).toBe(workers);
      });

      it('retries on TransientTransactionError up to maxAttempts', async () => {
        const docs = store.collection(fresh('retry'));
        let attempts = 0;
        const result = await store.withTransaction(async (session) => {
          attempts++;
          await docs.insertOne({ _id: `r${attempts}` }, { session });
          if (attempts < 3) throw new TransientTransactionError();
          return attempts;
        });
        expect(result).toBe(3);
        expect((await docs.find({})).map((d) => d._id)).toEqual(['r3']);

        let tries = 0;
        await expect(
          store.withTransaction(
            async () => {
              tries++;
              throw new TransientTransactionError();
            },
            { maxAttempts: 2 },
          ),
        ).rejects.toBeInstanceOf(TransientTransactionError);
        expect(tries).toBe(2);
      });

      it('refuses a session once its transaction has ended', async () => {
        const docs = store.collection(fresh('ended'));
        let leaked: Session | undefined;
        await store.withTransaction(async (session) => {
          leaked = session;
          await docs.insertOne({ _id: 'in' }, { session });
        });
        expect(leaked!.inTransaction).toBe(false);
        await expect(docs.insertOne({ _id: 'late' }, { session: leaked })).rejects.toThrow();
        expect(await docs.findById('late')).toBeNull();
        expect(await docs.findById('in')).toEqual({ _id: 'in' });
      });
    });

    it('answers ping and reports its kind', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(['mongo', 'embedded']).toContain(store.kind);
    });
  });
}
