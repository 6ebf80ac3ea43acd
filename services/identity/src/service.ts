import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { SubjectRevoked, TokenRevoked } from '@omni/contracts';
import type { Subscription } from '@omni/events';
import {
  createService,
  serviceOptionsFrom,
  ForbiddenError,
  RevocationList,
  UnauthorizedError,
  type AuthenticatorOptions,
  type Service,
  type ServiceDeps,
} from '@omni/kit';
import { findAccountByLogin } from './app/account-lookup';
import {
  identityMetrics,
  newDummyHash,
  resolveSettings,
  type IdentityContext,
  type IdentitySettings,
  type IdentitySettingsInput,
} from './app/context';
import { issueDirectToken, ServiceTokenCache } from './app/issue-direct-token';
import { KeyRing, type SigningKeyInfo } from './app/key-ring';
import { LoginThrottle } from './app/login-throttle';
import { IdentityAuthenticator, restrictionsFor } from './app/restricted-tokens';
import { rotateSigningKey } from './app/rotate-keys';
import { restoreRevocations, sweepExpired } from './app/sweep';
import { SecretBox } from './domain/secret-box';
import { onAuditRecorded } from './events/on-audit-recorded';
import { registerAccountRoutes } from './http/account-routes';
import { registerAuditRoutes } from './http/audit-routes';
import { registerKeyRoutes } from './http/key-routes';
import { registerMeRoutes } from './http/me-routes';
import { registerTokenRoutes } from './http/token-routes';
import { subscribeRevocations } from './revocations';
import { identityCollections } from './store/collections';

export interface IdentityDeps extends Omit<ServiceDeps, 'auth'> {
  settings?: IdentitySettingsInput;
  /**
   * Encrypts TOTP secrets and private signing keys at rest (≥ 16 bytes; IDENTITY_ENCRYPTION_SECRET).
   * Without it they are stored unencrypted (tests, the embedded demo).
   */
  encryptionSecret?: string | Buffer;
  timings?: {
    /** Reload the key set (other instances' rotations). Default 10 s. */
    keyReloadIntervalMs?: number;
    /** Expired sessions, refresh tokens, throttle counters, retired keys. Default 10 min. */
    sweepIntervalMs?: number;
  };
  /** Consumer group of this instance's revocation subscription (unique per instance; default random). */
  revocationGroup?: string;
}

/** What identity offers in-process (the embedded runtime, seeding, tests) besides its HTTP API. */
export interface IdentityApi {
  readonly settings: IdentitySettings;
  /** The current public key set; pass `{ jwksProvider: () => identity.jwks() }` to in-process services. */
  jwks(): JSONWebKeySet;
  /** Authenticator options for an in-process service verifying identity's tokens. */
  authOptions(revocations?: RevocationList): AuthenticatorOptions;
  /** Rotates the signing key (see POST /v1/keys/rotate). Default: signs at once. */
  rotateKeys(opts?: { activateInSeconds?: number }): Promise<SigningKeyInfo>;
  /** A token for an existing service client (in-process runtime only), cached until shortly before expiry. */
  issueServiceToken(clientId: string): Promise<string>;
  /** A token for an existing account without sign-in (seeding/demo only; long-lived when asked). */
  issueTokenFor(username: string, opts?: { ttlSeconds?: number; demo?: boolean }): Promise<string>;
  /** Housekeeping, also run on a timer. */
  sweep(now?: Date): Promise<{ refreshTokens: number; sessions: number; throttle: number; keys: number }>;
  /** Use cases for seeding and tests. */
  readonly context: IdentityContext;
}

export type IdentityService = Service & IdentityApi;

export function buildIdentityService(deps: IdentityDeps): IdentityService {
  const settings = resolveSettings(deps.settings);
  const clock = deps.clock ?? (() => new Date());
  const box = new SecretBox(deps.encryptionSecret);
  const c = identityCollections(deps.store);
  const keys = new KeyRing(c.signingKeys, { clock, box, accessTtlSeconds: settings.accessTtlSeconds });
  const revocations = new RevocationList();
  const authenticator = new IdentityAuthenticator(
    {
      keys: { jwksProvider: () => keys.jwks() },
      issuer: settings.issuer,
      audience: settings.audience,
      revocations,
      clockSkewSeconds: settings.tokenClockSkewSeconds,
    },
    settings.restrictedAudience,
  );
  const svc = createService({
    ...serviceOptionsFrom({ ...deps, auth: authenticator }),
    name: 'identity',
    description:
      'Identity and access: named accounts, sign-in with password + TOTP, JWT access tokens (JWKS), rotating refresh ' +
      'tokens, revocation, audit log of every service.',
    grpc: false,
  });
  const ctx: IdentityContext = {
    store: deps.store,
    collections: c,
    events: svc.events,
    audit: svc.audit,
    clock,
    log: svc.log,
    keys,
    box,
    settings,
    revocations,
    throttle: new LoginThrottle(c.throttle, clock),
    metrics: identityMetrics(svc.metrics),
    dummyHash: newDummyHash(settings),
    publicUrl: () => (settings.publicUrl ?? svc.url).replace(/\/+$/, ''),
  };

  svc.events.registry.produces(TokenRevoked, SubjectRevoked);
  onAuditRecorded(svc, ctx);

  // A restricted token (expired password, MFA enrolment pending) opens only the routes that clear it.
  svc.app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.signedIn && !req.principal) throw new UnauthorizedError();
    const restrictions = restrictionsFor(req.principal);
    if (!restrictions) return;
    const allowed = req.routeOptions.config?.allowRestricted ?? [];
    if (restrictions.some((r) => allowed.includes(r))) return;
    throw restrictions.includes('password-change')
      ? new ForbiddenError('The password expired: change it first (POST /v1/me/password)', 'password-expired')
      : new ForbiddenError('Enrol a second factor first (POST /v1/me/totp)', 'mfa-enrolment-required');
  });
  registerTokenRoutes(svc.app, ctx);
  registerMeRoutes(svc.app, ctx);
  registerAccountRoutes(svc.app, ctx);
  registerKeyRoutes(svc.app, ctx);
  registerAuditRoutes(svc.app, ctx);

  // Every replica reloads its own key ring (memory); one replica sweeps the shared store.
  svc.jobs.every({
    name: 'key-reload',
    everyMs: deps.timings?.keyReloadIntervalMs ?? 10_000,
    owner: 'replica',
    run: () => keys.load(),
  });
  svc.jobs.every({
    name: 'identity-sweep',
    everyMs: deps.timings?.sweepIntervalMs ?? 10 * 60_000,
    owner: 'lease',
    run: () => sweepExpired(ctx),
  });
  let revocationSub: Subscription | undefined;
  svc.onStart(async () => {
    await keys.ensureSigningKey();
    await restoreRevocations(ctx);
    revocationSub = await subscribeRevocations(deps.bus, revocations, {
      group: deps.revocationGroup ?? `identity-revocations-${randomUUID()}`,
      onInvalid: (reason) => svc.log.warn({ reason }, 'skipped a revocation message'),
    });
  });
  svc.onStop(async () => {
    await revocationSub?.close();
  });

  const serviceTokens = new ServiceTokenCache(ctx);
  const api: IdentityApi = {
    settings,
    context: ctx,
    jwks: () => keys.jwks(),
    authOptions: (list) => ({
      keys: { jwksProvider: () => keys.jwks() },
      issuer: settings.issuer,
      audience: settings.audience,
      clockSkewSeconds: settings.tokenClockSkewSeconds,
      ...(list ? { revocations: list } : {}),
    }),
    rotateKeys: (opts = {}) => rotateSigningKey(ctx, opts.activateInSeconds ?? 0, null),
    issueServiceToken: (clientId) => serviceTokens.get(clientId),
    issueTokenFor: async (username, opts = {}) => {
      const account = await findAccountByLogin(ctx, username);
      if (!account) throw new Error(`no account ${username}`);
      return (await issueDirectToken(ctx, account, opts)).token;
    },
    sweep: (now) => sweepExpired(ctx, now),
  };
  return Object.assign(svc, api);
}
