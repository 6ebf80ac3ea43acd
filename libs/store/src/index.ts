import { join } from 'node:path';
import { createEmbeddedStore } from './embedded';
import { createMongoStore } from './mongo';
import type { DocumentStore } from './port';

export * from './port';
export * from './errors';
export { newId, idTime } from './ids';
export {
  openJournal,
  mkdirPrivate,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  JournalCorruptError,
  JournalClosedError,
  type Journal,
  type JournalOptions,
} from './journal';
export { createEmbeddedStore, EmbeddedStore, type EmbeddedStoreOptions } from './embedded';
export { createMongoStore, MongoStore, type MongoStoreOptions } from './mongo';

export type StoreConfig =
  { kind: 'embedded'; dir?: string; fsync?: boolean } | { kind: 'mongo'; url: string; dbName: string };

/** The adapter for a config. Call `init()` on the result before use. */
export function createStore(config: StoreConfig): DocumentStore {
  switch (config.kind) {
    case 'embedded':
      return createEmbeddedStore({ dir: config.dir, fsync: config.fsync });
    case 'mongo':
      return createMongoStore({ url: config.url, dbName: config.dbName });
  }
}

/**
 * Store config from the environment for one service:
 * - MONGO_URL set → MongoDB, database `omni_<service>`;
 * - else OMNI_DATA_DIR set → embedded, durable in `<OMNI_DATA_DIR>/<service>/store`
 *   (OMNI_FSYNC=1 adds an fsync per journal batch: survives power loss, not only crashes);
 * - else embedded in memory.
 */
export function storeConfigFromEnv(
  env: Record<string, string | undefined>,
  serviceName: string,
): StoreConfig {
  const service = serviceName.replace(/[^A-Za-z0-9_-]/g, '_');
  if (env.MONGO_URL) return { kind: 'mongo', url: env.MONGO_URL, dbName: `omni_${service}` };
  if (env.OMNI_DATA_DIR) {
    return {
      kind: 'embedded',
      dir: join(env.OMNI_DATA_DIR, service, 'store'),
      fsync: env.OMNI_FSYNC === '1' || env.OMNI_FSYNC === 'true',
    };
  }
  return { kind: 'embedded' };
}
