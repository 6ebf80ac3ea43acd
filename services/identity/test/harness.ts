import { Type } from 'typebox';
import type { DestinationStream } from 'pino';
import { createEmbeddedStore } from '@omni/store';
import { createEmbeddedBus, type EventBus, type Subscription } from '@omni/events';
import { createService, RevocationList, UnauthorizedError, type Service } from '@omni/kit';
import { client, type JsonResponse } from '@omni/testing';
import {
  buildIdentityService,
  subscribeRevocations,
  totpCode,
  type IdentityDeps,
  type IdentityService,
} from '../src';
import type { Principal } from '@omni/kit';

/** A clock the test moves by hand (starts at the real time, so tokens verify against real time). */
export class TestClock {
  constructor(private t: number = Date.now()) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}

export const MIN = 60_000;
export const DAY = 86_400_000;
export const PASSWORD = 'correct-horse-battery';

export interface IdentityHarness {
  svc: IdentityService;
  bus: EventBus;
  clock: TestClock;
  api: (token?: string) => ReturnType<typeof client>;
  /** An ops token (direct, for setup). */
  ops: string;
  /** Creates an account through the API as ops; returns its id (and client secret for services). */
  create: (body: Record<string, unknown>) => Promise<{ id: string; clientSecret?: string }>;
  /** POST /v1/auth/token. */
  token: (
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<JsonResponse<Record<string, unknown>>>;
  signIn: (
    username: string,
    password?: string,
    totp?: string,
  ) => Promise<{ access: string; refresh: string }>;
  /** Enrols TOTP for the account signed in with `token`; returns the base32 secret. */
  enrolTotp: (token: string) => Promise<string>;
  /** A valid code for the secret at the test clock's time, `stepOffset` steps later. */
  code: (secret: string, stepOffset?: number) => string;
  stop: () => Promise<void>;
}

/** Fast hashing and a lenient per-IP limit: tests share 127.0.0.1 (the IP limit has its own test). */
export const TEST_SETTINGS: NonNullable<IdentityDeps['settings']> = {
  scrypt: { logN: 10 },
  ipBackoff: { freeFailures: 100_000 },
  keyActivationDelaySeconds: 0,
  // Tests move identity's clock months ahead of the verifiers' real time (session limits), and the
  // iat of its tokens with it; the future-iat rule itself is tested in the kit.
  tokenClockSkewSeconds: 365 * 86_400,
};

export async function startIdentity(
  opts: Partial<Omit<IdentityDeps, 'clock'>> & { clock?: TestClock; bus?: EventBus } = {},
): Promise<IdentityHarness> {
  const clock = opts.clock ?? new TestClock();
  const bus = opts.bus ?? createEmbeddedBus({ retryDelayMs: 50 });
  const { settings, ...rest } = opts;
  const svc = buildIdentityService({
    store: createEmbeddedStore(),
    bus,
    logLevel: 'silent',
    ownsBus: opts.bus ? false : true,
    ...rest,
    clock: clock.now,
    settings: {
      ...TEST_SETTINGS,
      ...settings,
      ipBackoff: { ...TEST_SETTINGS.ipBackoff, ...settings?.ipBackoff },
      scrypt: { ...TEST_SETTINGS.scrypt, ...settings?.scrypt },
    },
  });
  await svc.start();
  await svc.context.collections.accounts.insertOne({
    _id: 'acc_root',
    username: 'root.ops',
    kind: 'ops',
    status: 'active',
    createdAt: clock.now().toISOString(),
    createdBy: 'test',
    updatedAt: clock.now().toISOString(),
  });
  await svc.context.collections.accountKeys.insertOne({ _id: 'login:root.ops', accountId: 'acc_root' });
  // Long-lived, so it outlives tests that move the clock (and works from an identity whose clock is behind).
  const ops = await svc.issueTokenFor('root.ops', { ttlSeconds: 3 * 3600 });
  const api = (token?: string) => client(svc.url, token);
  const h: IdentityHarness = {
    svc,
    bus,
    clock,
    api,
    ops,
    create: async (body) => {
      // The API gives accounts that need MFA a temporary password only; tests that want to start
      // from a settled password clear the flag in the store (setup shortcut, not an API path).
      const needsMfa =
        body.kind === 'ops' ||
        Object.values((body.stores ?? {}) as Record<string, string>).includes('manager');
      const settle = body.kind !== 'service' && body.mustChangePassword === undefined;
      const res = await api(ops).post<{ account: { id: string }; clientSecret?: string }>('/v1/accounts', {
        mustChangePassword: settle && !needsMfa ? false : undefined,
        ...body,
      });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      if (settle && needsMfa)
        await svc.context.collections.accounts.updateOne(
          { _id: res.body.account.id },
          { $set: { 'password.mustChange': false } },
        );
      return { id: res.body.account.id, clientSecret: res.body.clientSecret };
    },
    token: (body, headers) => api().post('/v1/auth/token', body, headers ? { headers } : undefined),
    signIn: async (username, password = PASSWORD, totp) => {
      const res = await h.token({ grant_type: 'password', username, password, ...(totp ? { totp } : {}) });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
    },
    enrolTotp: async (token) => {
      const start = await api(token).post<{ otpauthUri: string }>('/v1/me/totp');
      if (start.status !== 201)
        throw new Error(`enrol failed: ${start.status} ${JSON.stringify(start.body)}`);
      const secret = new URL(start.body.otpauthUri).searchParams.get('secret') ?? '';
      const confirm = await api(token).post('/v1/me/totp/confirm', { code: h.code(secret) });
      if (confirm.status !== 204)
        throw new Error(`confirm failed: ${confirm.status} ${JSON.stringify(confirm.body)}`);
      return secret;
    },
    code: (secret, stepOffset = 0) => totpCode(secret, new Date(clock.now().getTime() + stepOffset * 30_000)),
    stop: () => svc.stop(),
  };
  return h;
}

/**
 * Another kit-built service, as inventory/pickup/dispatch are: verifies identity's tokens on its
 * own (JWKS over HTTP, or in-process) and learns revocations from the bus.
 */
export async function startProbeService(opts: {
  identity: IdentityService;
  bus: EventBus;
  via: 'jwks-url' | 'in-process';
  logDestination?: DestinationStream;
}): Promise<{ svc: Service; api: (token?: string) => ReturnType<typeof client>; stop: () => Promise<void> }> {
  const revocations = new RevocationList();
  const { issuer, audience } = opts.identity.settings;
  const svc = createService({
    name: 'probe',
    store: createEmbeddedStore(),
    bus: opts.bus,
    ownsBus: false,
    grpc: false,
    logLevel: opts.logDestination ? 'trace' : 'silent',
    logDestination: opts.logDestination,
    auth:
      opts.via === 'jwks-url'
        ? {
            keys: { jwksUrl: `${opts.identity.url}/.well-known/jwks.json` },
            issuer,
            audience,
            revocations,
            clockSkewSeconds: opts.identity.settings.tokenClockSkewSeconds,
          }
        : opts.identity.authOptions(revocations),
  });
  const storeScope = {
    scope: (req: { params: unknown }) => ({ storeId: (req.params as { storeId: string }).storeId }),
  };
  const StoreParams = Type.Object({ storeId: Type.String() });
  svc.app.get('/v1/whoami', async (req): Promise<Principal> => {
    if (!req.principal) throw new UnauthorizedError();
    return req.principal;
  });
  svc.app.get(
    '/v1/stores/:storeId/stock',
    { config: { permission: 'inventory:read', ...storeScope }, schema: { params: StoreParams } },
    async (req) => ({ storeId: req.params.storeId }),
  );
  svc.app.post(
    '/v1/stores/:storeId/adjustments',
    { config: { permission: 'inventory:adjust', ...storeScope }, schema: { params: StoreParams } },
    async (req, reply) => {
      await svc.audit.record({
        actor: req.principal ?? { sub: '?', role: '?' },
        action: 'stock.adjusted',
        target: { type: 'store', id: req.params.storeId },
      });
      return reply.code(201).send({ ok: true });
    },
  );
  svc.app.get(
    '/v1/riders/:riderId/jobs',
    {
      config: {
        permission: 'dispatch:ride',
        scope: (req) => ({ riderId: (req.params as { riderId: string }).riderId }),
      },
      schema: { params: Type.Object({ riderId: Type.String() }) },
    },
    async () => ({ items: [] }),
  );
  let sub: Subscription | undefined;
  svc.onStart(async () => {
    sub = await subscribeRevocations(opts.bus, revocations, { group: `probe-revocations-${Math.random()}` });
  });
  svc.onStop(async () => sub?.close());
  await svc.start();
  return { svc, api: (token) => client(svc.url, token), stop: () => svc.stop() };
}
