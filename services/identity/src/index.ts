export { buildIdentityService, type IdentityDeps, type IdentityService, type IdentityApi } from './service';
export { IdentityEnv } from './config';
export {
  subscribeRevocations,
  applyRevocationMessage,
  REVOCATION_TOPIC,
  type RevocationSubscriptionOptions,
} from './revocations';
export {
  seedIdentity,
  demoTotpSecret,
  DEMO_PASSWORDS,
  DEMO_SERVICE_CLIENTS,
  type IdentitySeed,
  type IdentitySeedResult,
  type DemoAccount,
} from './seed';
export {
  DEFAULT_SETTINGS,
  resolveSettings,
  type IdentitySettings,
  type IdentitySettingsInput,
} from './app/context';
export type { SigningKeyInfo } from './app/key-ring';
export type { TokenResponse, Restriction } from './app/access-tokens';
export type { AccountView, AccountKind } from './domain/account';
export { totpCode } from './domain/totp';
export { DEFAULT_SCRYPT, type ScryptParams } from './domain/passwords';
export { bootstrapOps } from './app/bootstrap-ops';
export {
  bootstrapServiceClients,
  bootstrapClientsFromEnv,
  type BootstrapClient,
} from './app/bootstrap-clients';
