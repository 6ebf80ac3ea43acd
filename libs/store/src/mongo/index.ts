export { createMongoStore, MongoStore, type MongoStoreOptions } from './store';
