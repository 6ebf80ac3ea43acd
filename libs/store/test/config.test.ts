import { describe, expect, it } from 'vitest';
import { createMongoStore, createStore, storeConfigFromEnv, StoreNotInitialisedError } from '../src';

describe('store config', () => {
  it('picks MongoDB when MONGO_URL is set, else a data dir, else memory', () => {
    expect(
      storeConfigFromEnv(
        { MONGO_URL: 'mongodb://db:27017/?replicaSet=rs0', OMNI_DATA_DIR: '/d' },
        'inventory',
      ),
    ).toEqual({
      kind: 'mongo',
      url: 'mongodb://db:27017/?replicaSet=rs0',
      dbName: 'omni_inventory',
    });
    expect(storeConfigFromEnv({ OMNI_DATA_DIR: '/data' }, 'orders')).toEqual({
      kind: 'embedded',
      dir: '/data/orders/store',
      fsync: false,
    });
    expect(storeConfigFromEnv({ OMNI_DATA_DIR: '/data', OMNI_FSYNC: '1' }, 'orders')).toMatchObject({
      fsync: true,
    });
    expect(storeConfigFromEnv({}, 'pickup')).toEqual({ kind: 'embedded' });
    expect(storeConfigFromEnv({ MONGO_URL: 'mongodb://x' }, 'a.b/c')).toMatchObject({ dbName: 'omni_a_b_c' });
  });

  it('creates the adapter the config names', async () => {
    const embedded = createStore({ kind: 'embedded' });
    expect(embedded.kind).toBe('embedded');
    await embedded.init();
    await embedded.ping();
    await embedded.close();
    expect(createStore({ kind: 'mongo', url: 'mongodb://127.0.0.1:1', dbName: 'x' }).kind).toBe('mongo');
  });

  it('the MongoDB adapter refuses work before init and rejects init when the server is unreachable', async () => {
    const store = createMongoStore({
      url: 'mongodb://127.0.0.1:1',
      dbName: 'x',
      serverSelectionTimeoutMS: 300,
    });
    const docs = store.collection('docs');
    await expect(docs.findById('a')).rejects.toBeInstanceOf(StoreNotInitialisedError);
    await expect(store.init()).rejects.toThrow();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreNotInitialisedError);
    await store.close();
  });
});
