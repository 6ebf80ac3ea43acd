import { join } from 'node:path';
import { createEmbeddedStore } from './embedded';
import { createMongoStore } from './mongo';
import { faultOptionsFromEnv, type FaultOptions } from './faults';
import type { DocumentStore } from './port';

export * from './port';
export * from './errors';
export * from './faults';
export * from './retry';
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
  | { kind: 'embedded'; dir?: string; fsync?: boolean; faults?: FaultOptions }
  | { kind: 'mongo'; url: string; dbName: string; serverSelectionTimeoutMS?: number };

/** The adapter for a config. Call `init()` on the result before use. */
export function createStore(config: StoreConfig): DocumentStore {
  switch (config.kind) {
    case 'embedded':
      return createEmbeddedStore({ dir: config.dir, fsync: config.fsync, faults: config.faults });
    case 'mongo':
      return createMongoStore({
        url: config.url,
        dbName: config.dbName,
        serverSelectionTimeoutMS: config.serverSelectionTimeoutMS,
      });
  }
}

/**
 * Store config from the environment for one service:
 * - MONGO_URL set → MongoDB, database `omni_<service>`;
 * - else OMNI_DATA_DIR set → embedded, durable in `<OMNI_DATA_DIR>/<service>/store`
 *   (OMNI_FSYNC=1 adds an fsync per journal batch: survives power loss, not only crashes);
 * - else embedded in memory.
 * MONGO_SERVER_SELECTION_TIMEOUT_MS (default 5,000) bounds how long startup and each operation wait
 * for a reachable primary. The embedded store takes the OMNI_FAULT_STORE_* switches (faults.ts).
 */
export function storeConfigFromEnv(
  env: Record<string, string | undefined>,
  serviceName: string,
): StoreConfig {
  const service = serviceName.replace(/[^A-Za-z0-9_-]/g, '_');
  if (env.MONGO_URL) {
    const config: StoreConfig = { kind: 'mongo', url: env.MONGO_URL, dbName: `omni_${service}` };
    const timeout = env.MONGO_SERVER_SELECTION_TIMEOUT_MS;
    if (timeout) {
      const ms = Number(timeout);
      if (!Number.isInteger(ms) || ms < 1)
        throw new Error(`MONGO_SERVER_SELECTION_TIMEOUT_MS must be a positive integer, got "${timeout}"`);
      config.serverSelectionTimeoutMS = ms;
    }
    return config;
  }
  const faults = faultOptionsFromEnv(env, 'store');
  const config: StoreConfig = { kind: 'embedded', ...(faults ? { faults } : {}) };
  if (env.OMNI_DATA_DIR) {
    config.dir = join(env.OMNI_DATA_DIR, service, 'store');
    config.fsync = env.OMNI_FSYNC === '1' || env.OMNI_FSYNC === 'true';
  }
  return config;
}
