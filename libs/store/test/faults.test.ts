import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  createEmbeddedStore,
  faultOptionsFromEnv,
  isTransientError,
  OperationTimeoutError,
  StoreUnavailableError,
  storeConfigFromEnv,
  TransientTransactionError,
} from '../src';
import { mapMongoError, topologyRefusal } from '../src/mongo/helpers';

describe('error taxonomy', () => {
  it('maps MongoDB unavailability, conflicts and timeouts to transient errors, and nothing else', () => {
    const selection = new mongo.MongoServerSelectionError('no primary', {} as never);
    expect(mapMongoError(selection, 'x')).toBeInstanceOf(StoreUnavailableError);
    expect(mapMongoError(new mongo.MongoNetworkError('reset'), 'x')).toBeInstanceOf(StoreUnavailableError);
    const stepDown = new mongo.MongoServerError({ message: 'not primary', code: 10107 });
    expect(mapMongoError(stepDown, 'x')).toBeInstanceOf(StoreUnavailableError);
    const unknownCommit = new mongo.MongoServerError({
      message: 'unknown',
      code: 91,
      errorLabels: ['UnknownTransactionCommitResult'],
    });
    expect(mapMongoError(unknownCommit, 'x')).toBeInstanceOf(TransientTransactionError);
    const maxTime = new mongo.MongoServerError({ message: 'too slow', code: 50 });
    expect(mapMongoError(maxTime, 'x')).toBeInstanceOf(OperationTimeoutError);
    for (const e of [selection, stepDown, unknownCommit, maxTime])
      expect(isTransientError(mapMongoError(e, 'x'))).toBe(true);

    const bad = new mongo.MongoServerError({ message: 'bad query', code: 2 });
    expect(mapMongoError(bad, 'x')).toBe(bad);
    expect(isTransientError(bad)).toBe(false);
    expect(isTransientError(new Error('handler bug'))).toBe(false);
    // Other packages' transient errors (a bus adapter's) and wrapped ones count too.
    expect(isTransientError(Object.assign(new Error('broker down'), { transient: true }))).toBe(true);
    expect(isTransientError(new Error('wrapped', { cause: new StoreUnavailableError() }))).toBe(true);
  });
});

describe('MongoDB topology check', () => {
  it('refuses a standalone mongod in one line naming the variable, accepts a replica set or mongos', () => {
    expect(topologyRefusal({ setName: 'rs0' }, 'MONGO_URL', 'mongodb://db:27017')).toBeNull();
    expect(topologyRefusal({ msg: 'isdbgrid' }, 'MONGO_URL', 'mongodb://db:27017')).toBeNull();
    const refusal = topologyRefusal({}, 'MONGO_URL', 'mongodb://db:27017');
    expect(refusal?.name).toBe('StartupError');
    expect(refusal?.message).toMatch(
      /^MONGO_URL: mongodb:\/\/db:27017 is a standalone mongod; Omni needs a replica set/,
    );
    expect(refusal?.message).not.toContain('\n');
  });
});

describe('embedded store fault switches', () => {
  it('is down for the given time: every call fails with StoreUnavailableError, then it is back', async () => {
    const store = createEmbeddedStore();
    const docs = store.collection('docs');
    await store.init();
    await docs.insertOne({ _id: 'a', n: 1 });
    store.faults.down(60_000);
    await expect(docs.findById('a')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(docs.insertOne({ _id: 'b' })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.withTransaction(async () => 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toSatisfy(isTransientError);
    store.faults.up();
    expect(await docs.findById('a')).toEqual({ _id: 'a', n: 1 });
    await store.close();
  });

  it('fails a share of transactional writes with a write conflict; withTransaction retries them', async () => {
    const store = createEmbeddedStore({ faults: { conflictRate: 0.3, seed: 3 } });
    const counters = store.collection('counters');
    await store.init();
    let runs = 0;
    for (let i = 0; i < 30; i++) {
      await store.withTransaction(async (session) => {
        runs++;
        await counters.updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { session, upsert: true });
        await counters.updateOne({ _id: 'd' }, { $inc: { n: 1 } }, { session, upsert: true });
      });
    }
    expect(await counters.findById('c')).toMatchObject({ n: 30 });
    expect(await counters.findById('d')).toMatchObject({ n: 30 });
    expect(runs).toBeGreaterThan(30); // conflicts happened and were retried
    // Without retries left, the conflict reaches the caller as a transient error.
    await expect(
      store.withTransaction(
        async (session) => {
          for (let i = 0; i < 20; i++)
            await counters.updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { session });
        },
        { maxAttempts: 1 },
      ),
    ).rejects.toBeInstanceOf(TransientTransactionError);
    await store.close();
  });

  it('reads the switches from the environment, and refuses malformed values', () => {
    expect(faultOptionsFromEnv({}, 'store')).toBeUndefined();
    expect(
      faultOptionsFromEnv(
        { OMNI_FAULT_STORE_CONFLICT_RATE: '0.2', OMNI_FAULT_STORE_DOWN: '60@10', OMNI_FAULT_SEED: '7' },
        'store',
      ),
    ).toEqual({ conflictRate: 0.2, down: { forMs: 60_000, afterMs: 10_000 }, seed: 7 });
    expect(faultOptionsFromEnv({ OMNI_FAULT_BUS_DOWN: '5' }, 'bus')).toEqual({
      down: { forMs: 5_000, afterMs: 0 },
    });
    expect(() => faultOptionsFromEnv({ OMNI_FAULT_STORE_CONFLICT_RATE: '20%' }, 'store')).toThrow(/0\.\.1/);
    expect(() => faultOptionsFromEnv({ OMNI_FAULT_STORE_DOWN: 'soon' }, 'store')).toThrow(/seconds/);
    expect(storeConfigFromEnv({ OMNI_FAULT_STORE_CONFLICT_RATE: '0.2' }, 'orders')).toEqual({
      kind: 'embedded',
      faults: { conflictRate: 0.2 },
    });
  });
});
