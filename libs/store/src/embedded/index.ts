export { createEmbeddedStore, EmbeddedStore, type EmbeddedStoreOptions } from './store';
export { StoreNotInitialisedError } from '../errors';
export { DataDirLockedError, SnapshotCorruptError } from './persistence';
