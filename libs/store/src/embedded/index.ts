export { createEmbeddedStore, EmbeddedStore, StoreNotInitialisedError, type EmbeddedStoreOptions } from './store';
