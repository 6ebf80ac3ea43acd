export {
  startSystem,
  FIXED_PORTS,
  SERVICE_NAMES,
  type System,
  type SystemOptions,
  type ServiceName,
} from './system';
export { seedDemo, type DemoSummary } from './seed';
export * from './demo/city';
export { DEMO_SHOPPERS } from './demo/customers';
export { startReplicaBed, type ReplicaBed, type ReplicaBedOptions } from './replicas/bed';
