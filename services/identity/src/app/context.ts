import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import type { AuditLog, Metrics, RevocationList, ServiceEvents } from '@omni/kit';
import type { DocumentStore } from '@omni/store';
import { DEFAULT_ACCOUNT_BACKOFF, DEFAULT_IP_BACKOFF, type BackoffPolicy } from '../domain/backoff';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../domain/password-policy';
import { DEFAULT_SCRYPT, DummyHash, type ScryptParams } from '../domain/passwords';
import type { SecretBox } from '../domain/secret-box';
import type { IdentityCollections } from '../store/collections';
import type { KeyRing } from './key-ring';
import type { LoginThrottle } from './login-throttle';

export interface IdentitySettings {
  /** `iss` of every token. */
  issuer: string;
  /** `aud` of full access tokens (what every service verifies). */
  audience: string;
  /**
   * `aud` of restricted tokens (expired password, second factor still to enrol): only identity
   * accepts them, and only on the routes that clear the restriction.
   */
  restrictedAudience: string;
  accessTtlSeconds: number;
  /** A refresh token not used for this long expires. */
  refreshTtlSeconds: number;
  /** A session (refresh family) ends this long after sign-in, however often it is refreshed. */
  sessionMaxSeconds: number;
  restrictedTtlSeconds: number;
  /** A rotated-in key starts signing this long after it is published (ops endpoint default). */
  keyActivationDelaySeconds: number;
  password: PasswordPolicy;
  scrypt: ScryptParams;
  accountBackoff: BackoffPolicy;
  ipBackoff: BackoffPolicy;
  /** Issuer shown in authenticator apps. */
  totpIssuer: string;
  /**
   * Public base URL of identity (e.g. https://id.example.com) for the discovery document. Absent:
   * the address it listens on. Never taken from the request's Host header, which the caller controls.
   */
  publicUrl?: string;
  /** How far ahead of the verifier's clock a token's `iat` may be (kit Authenticator; tests move clocks). */
  tokenClockSkewSeconds: number;
}

export const DEFAULT_SETTINGS: IdentitySettings = {
  issuer: 'omni-identity',
  audience: 'omni',
  restrictedAudience: 'omni-identity',
  accessTtlSeconds: 15 * 60,
  refreshTtlSeconds: 14 * 86_400,
  sessionMaxSeconds: 30 * 86_400,
  restrictedTtlSeconds: 10 * 60,
  keyActivationDelaySeconds: 60,
  password: DEFAULT_PASSWORD_POLICY,
  scrypt: DEFAULT_SCRYPT,
  accountBackoff: DEFAULT_ACCOUNT_BACKOFF,
  ipBackoff: DEFAULT_IP_BACKOFF,
  totpIssuer: 'Omni',
  tokenClockSkewSeconds: 60,
};

export type IdentitySettingsInput = Partial<
  Omit<IdentitySettings, 'password' | 'scrypt' | 'accountBackoff' | 'ipBackoff'>
> & {
  password?: Partial<PasswordPolicy>;
  scrypt?: Partial<ScryptParams>;
  accountBackoff?: Partial<BackoffPolicy>;
  ipBackoff?: Partial<BackoffPolicy>;
};

export function resolveSettings(input: IdentitySettingsInput = {}): IdentitySettings {
  const d = DEFAULT_SETTINGS;
  return {
    ...d,
    ...input,
    password: { ...d.password, ...input.password },
    scrypt: { ...d.scrypt, ...input.scrypt },
    accountBackoff: { ...d.accountBackoff, ...input.accountBackoff },
    ipBackoff: { ...d.ipBackoff, ...input.ipBackoff },
  };
}

export interface IdentityMetrics {
  signIns: Counter<'grant' | 'outcome'>;
  revocations: Counter<'kind' | 'reason'>;
  passwordHashSeconds: Histogram<string>;
  /** scrypt work (N·r·p) spent verifying sign-in passwords: the same per attempt, account or not. */
  passwordWork: Counter<string>;
}

export function identityMetrics(m: Metrics): IdentityMetrics {
  return {
    signIns: m.counter('identity_token_requests_total', 'Token requests by grant and outcome', [
      'grant',
      'outcome',
    ]),
    revocations: m.counter('identity_revocations_total', 'Revoked tokens and subjects', ['kind', 'reason']),
    passwordHashSeconds: m.histogram(
      'identity_password_hash_seconds',
      'scrypt hash/verify duration',
      [],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    ),
    passwordWork: m.counter(
      'identity_password_kdf_work_total',
      'scrypt work (N·r·p) spent verifying sign-in passwords, known accounts and unknown names alike',
      [],
    ),
  };
}

/** Everything the use cases need. */
export interface IdentityContext {
  store: DocumentStore;
  collections: IdentityCollections;
  events: ServiceEvents;
  audit: AuditLog;
  clock: () => Date;
  log: Logger;
  keys: KeyRing;
  box: SecretBox;
  settings: IdentitySettings;
  /** This instance's revocation list (identity's own routes); updated right after each commit. */
  revocations: RevocationList;
  throttle: LoginThrottle;
  metrics: IdentityMetrics;
  dummyHash: DummyHash;
  /** Base URL published in the discovery document (configured, else the listening address). */
  publicUrl: () => string;
}

export function newDummyHash(settings: IdentitySettings): DummyHash {
  return new DummyHash(settings.scrypt);
}

/** Who did it, for audit entries of unauthenticated flows. */
export const ANONYMOUS = { sub: 'anonymous', role: 'anonymous' };
export const SYSTEM = { sub: 'identity', role: 'system' };
