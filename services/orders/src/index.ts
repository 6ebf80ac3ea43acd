export {
  buildOrdersService,
  type OrdersService,
  type OrdersServiceDeps,
  type OrdersControls,
} from './service';
export { DEFAULT_POLICY, DEFAULT_TIMINGS, type OrdersPolicy, type OrdersTimings } from './settings';
export type { PaymentProvider } from './payment/port';
export { PaymentDeclinedError, PaymentUnavailableError } from './payment/port';
export { SimulatedCardProvider, type SimulatedCardOptions } from './payment/simulated-card';
export type { OrderDoc, OrderStatus } from './domain/types';
export { loadOrdersConfig, type OrdersConfig } from './config';
