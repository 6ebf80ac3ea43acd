export { buildCustomersService, type CustomersService, type CustomersServiceDeps } from './service';
export { seedCustomers, DEMO_CUSTOMERS, type SeedCustomer } from './seed';
export { CustomersEnv, loadCustomersConfig } from './config';
export { DEFAULT_POINTS_POLICY, DEFAULT_LEVELS, parseLevels, type PointsPolicy, type LevelThreshold } from './domain/points';
export { normaliseIdentity, IDENTITY_KINDS, type IdentityKind } from './domain/identity';
export type { CustomerView } from './domain/customer';
export type { ExpiryRun } from './app/expire-points';
export type { PointsReconciliation } from './app/queries/points-query';
export { type MemberNotifier, PRESENCE_CODE_ATTEMPTS, PRESENCE_CODE_TTL_MS } from './app/member-presence';
