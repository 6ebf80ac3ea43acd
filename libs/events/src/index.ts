export * from './port';
export * from './logger';
export * from './observer';
export * from './partitioner';
export * from './registry';
export * from './envelope';
export { createEmbeddedBus, EmbeddedBus, BusClosedError, type EmbeddedBusOptions } from './embedded/bus';
