import { Query } from 'mingo';
import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { DuplicateKeyError, TransientTransactionError, type Doc } from '../src';
import { compileSort } from '../src/embedded/query';
import {
  keysetFilter,
  mapMongoError,
  runTransaction,
  withUpsertId,
  type TransactionSession,
} from '../src/mongo/helpers';

function serverError(fields: Record<string, unknown>, labels: string[] = []): mongo.MongoServerError {
  return new mongo.MongoServerError({
    message: String(fields.errmsg ?? 'server error'),
    ...fields,
    errorLabels: labels,
  });
}

/** Records what the retry loop asks of the session; commit outcomes are scripted. */
class FakeSession implements TransactionSession {
  log: string[] = [];
  private active = false;
  constructor(private readonly commitOutcomes: Array<Error | null> = []) {}
  startTransaction(): void {
    this.active = true;
    this.log.push('start');
  }
  async commitTransaction(): Promise<void> {
    const outcome = this.commitOutcomes.shift() ?? null;
    this.log.push(outcome ? 'commit-failed' : 'commit');
    if (outcome) throw outcome;
    this.active = false;
  }
  async abortTransaction(): Promise<void> {
    this.log.push('abort');
    this.active = false;
  }
  inTransaction(): boolean {
    return this.active;
  }
}

describe('MongoDB adapter helpers', () => {
  it('maps E11000 from single and bulk writes to DuplicateKeyError with the index and key', () => {
    const single = mapMongoError(
      serverError({
        code: 11000,
        errmsg: 'E11000 duplicate key error collection: db.users index: email_1 dup key: { email: "a" }',
        keyValue: { email: 'a' },
      }),
      'users',
    );
    expect(single).toBeInstanceOf(DuplicateKeyError);
    expect(single).toMatchObject({ code: 11000, collection: 'users', index: 'email_1', key: { email: 'a' } });
    const bulk = mapMongoError(
      serverError({
        code: 11000,
        writeErrors: [
          { code: 11000, errmsg: 'E11000 duplicate key error index: sku_1_locationId_1 dup key: { }' },
        ],
      }),
      'levels',
    );
    expect(bulk).toMatchObject({ code: 11000, index: 'sku_1_locationId_1' });
    const conflict = mapMongoError(
      serverError({ code: 112, codeName: 'WriteConflict' }, ['TransientTransactionError']),
      'x',
    );
    expect(conflict).toBeInstanceOf(TransientTransactionError);
    const other = new Error('boom');
    expect(mapMongoError(other, 'x')).toBe(other);
  });

  it('retries the whole transaction on transient errors, up to maxAttempts', async () => {
    const session = new FakeSession();
    let calls = 0;
    const result = await runTransaction(
      session,
      async () => {
        calls++;
        if (calls < 3) throw serverError({ code: 112 }, ['TransientTransactionError']);
        return 'ok';
      },
      5,
    );
    expect(result).toBe('ok');
    expect(session.log).toEqual(['start', 'abort', 'start', 'abort', 'start', 'commit']);

    const exhausted = new FakeSession();
    await expect(
      runTransaction(
        exhausted,
        async () => {
          throw new TransientTransactionError();
        },
        2,
      ),
    ).rejects.toBeInstanceOf(TransientTransactionError);
    expect(exhausted.log).toEqual(['start', 'abort', 'start', 'abort']);
  });

  it('retries an attempt whose operation failed transiently even if fn throws something else', async () => {
    const session = new FakeSession();
    let calls = 0;
    await runTransaction(
      session,
      async (attempt) => {
        calls++;
        if (calls === 1) {
          attempt.doomed = true; // what the collection wrapper does when an operation hits a write conflict
          throw new Error('wrapped by application code');
        }
      },
      3,
    );
    expect(calls).toBe(2);
  });

  it('retries only the commit while its result is unknown, and the whole attempt on a transient commit', async () => {
    const unknown = serverError({ code: 91 }, ['UnknownTransactionCommitResult']);
    const session = new FakeSession([unknown, unknown]);
    await runTransaction(session, async () => 1, 3);
    expect(session.log).toEqual(['start', 'commit-failed', 'commit-failed', 'commit']);

    const transientCommit = new FakeSession([serverError({ code: 251 }, ['TransientTransactionError'])]);
    let calls = 0;
    await runTransaction(transientCommit, async () => calls++, 3);
    expect(calls).toBe(2);
    expect(transientCommit.log).toEqual(['start', 'commit-failed', 'abort', 'start', 'commit']);
  });

  it('aborts and rethrows non-transient errors without retrying', async () => {
    const session = new FakeSession();
    const dup = serverError({ code: 11000, errmsg: 'index: email_1 dup key' });
    await expect(
      runTransaction(
        session,
        async () => {
          throw dup;
        },
        5,
        (err) => mapMongoError(err, 'users'),
      ),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(session.log).toEqual(['start', 'abort']);
  });

  it('gives upserts a string _id unless the filter or the update decides it', () => {
    expect(withUpsertId({ _id: 'a' }, { $set: { x: 1 } })).toEqual({ $set: { x: 1 } });
    expect(withUpsertId({ _id: { $eq: 'a' } }, { $set: { x: 1 } })).toEqual({ $set: { x: 1 } });
    expect(withUpsertId({ $and: [{ _id: 'a' }] }, { $set: { x: 1 } })).toEqual({ $set: { x: 1 } });
    expect(withUpsertId({ k: 1 }, { $setOnInsert: { _id: 'z' } })).toEqual({ $setOnInsert: { _id: 'z' } });
    const added = withUpsertId({ k: 1 }, { $set: { x: 1 }, $setOnInsert: { y: 2 } });
    expect(added).toMatchObject({ $set: { x: 1 }, $setOnInsert: { y: 2 } });
    expect((added.$setOnInsert as { _id: unknown })._id).toMatch(/^[0-9A-Z]{26}$/);
    expect(withUpsertId({ _id: { $in: ['a', 'b'] } }, { $set: { x: 1 } }).$setOnInsert).toBeDefined();
  });

  it('keyset filters select exactly what follows the cursor in (field, _id) order, nulls included', () => {
    const docs: Doc[] = [
      { _id: 'a', t: 3 },
      { _id: 'b', t: 1 },
      { _id: 'c', t: null },
      { _id: 'd' },
      { _id: 'e', t: 3 },
      { _id: 'f', t: 2 },
      { _id: 'g', t: 1 },
    ];
    for (const direction of [1, -1] as const) {
      const ordered = [...docs].sort(compileSort({ t: direction, _id: direction }));
      ordered.forEach((cursorDoc, i) => {
        const filter = keysetFilter('t', direction, cursorDoc.t ?? null, cursorDoc._id);
        const query = new Query(filter, {});
        const after = ordered.filter((d) => query.test(d)).map((d) => d._id);
        expect({ direction, cursor: cursorDoc._id, after }).toEqual({
          direction,
          cursor: cursorDoc._id,
          after: ordered.slice(i + 1).map((d) => d._id),
        });
      });
    }
    expect(keysetFilter('_id', 1, 'k', 'k')).toEqual({ _id: { $gt: 'k' } });
  });
});
