import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { decodeProtectedHeader } from 'jose';
import { MIN, PASSWORD, TestClock, startIdentity, startProbeService, type IdentityHarness } from './harness';

type Probe = Awaited<ReturnType<typeof startProbeService>>;
let h: IdentityHarness;
let probe: Probe;
beforeAll(async () => {
  h = await startIdentity();
  probe = await startProbeService({ identity: h.svc, bus: h.bus, via: 'in-process' });
  await h.create({
    kind: 'store_staff',
    username: 'rob.refresh',
    password: PASSWORD,
    stores: { S1: 'clerk' },
  });
});
afterAll(async () => {
  await probe?.stop();
  await h?.stop();
});

const problem = (res: { body: unknown }) => res.body as { type: string; error?: string };
const refresh = (token: string) => h.token({ grant_type: 'refresh_token', refresh_token: token });

describe('refresh tokens', () => {
  it('rotate on every use; reusing an old one revokes the whole family and its access tokens', async () => {
    const first = await h.signIn('rob.refresh');
    const second = await refresh(first.refresh);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh);
    const third = await refresh(second.body.refresh_token as string);
    expect(third.status).toBe(200);
    const accessTokens = [
      first.access,
      second.body.access_token as string,
      third.body.access_token as string,
    ];
    for (const t of accessTokens) expect((await h.api(t).get('/v1/me')).status).toBe(200);

    // The first refresh token again: somebody copied it.
    const reuse = await refresh(first.refresh);
    expect(reuse.status).toBe(401);
    expect(problem(reuse)).toMatchObject({ error: 'refresh_token_reused' });
    for (const t of accessTokens) {
      const res = await h.api(t).get('/v1/me');
      expect(res.status).toBe(401);
      expect(problem(res).type).toBe('https://omni.dev/problems/token-revoked');
    }
    // The newest refresh token of the family is dead too.
    expect((await refresh(third.body.refresh_token as string)).status).toBe(401);
    const audit = await h.svc.audit.query({ action: 'auth.refresh-token-reused' }, { limit: 5 });
    expect(audit.items[0]).toMatchObject({ outcome: 'failure', target: { type: 'session' } });
    // Another session of the same person is not touched.
    const other = await h.signIn('rob.refresh');
    expect((await h.api(other.access).get('/v1/me')).status).toBe(200);
  });

  it('lets only one of many parallel uses of one refresh token through', async () => {
    const session = await h.signIn('rob.refresh');
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(session.refresh)));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(19);
    // The losers were reuses: the family is revoked whatever the winner got.
    const winner = results.find((r) => r.status === 200);
    if (winner) expect((await refresh(winner.body.refresh_token as string)).status).toBe(401);
    expect((await h.api(session.access).get('/v1/me')).status).toBe(401);
  });

  it('refuses unknown refresh tokens and refresh tokens of a logged-out session', async () => {
    expect(problem(await refresh('rt_made-up')).error).toBe('invalid_grant');
    const s = await h.signIn('rob.refresh');
    expect((await h.api(s.access).post('/v1/auth/logout')).status).toBe(204);
    expect((await h.api(s.access).get('/v1/me')).status).toBe(401);
    const after = await refresh(s.refresh);
    expect(after.status).toBe(401);
    expect(problem(after).error).toBe('invalid_grant');
  });

  it('ends with the session lifetime, however often refreshed', async () => {
    let s = await h.signIn('rob.refresh');
    let refreshToken = s.refresh;
    for (let day = 0; day < 29; day++) {
      h.clock.advance(24 * 60 * MIN);
      const r = await refresh(refreshToken);
      expect(r.status).toBe(200);
      refreshToken = r.body.refresh_token as string;
    }
    h.clock.advance(24 * 60 * MIN);
    const end = await refresh(refreshToken);
    expect(end.status).toBe(401);
    // Housekeeping forgets ended sessions and their refresh tokens.
    const swept = await h.svc.sweep();
    expect(swept.sessions).toBeGreaterThan(0);
    expect(swept.refreshTokens).toBeGreaterThan(0);
    s = await h.signIn('rob.refresh');
    expect(s.access).toBeTruthy();
  });
});

describe('access tokens', () => {
  it('rejects a tampered token and one signed by a foreign key', async () => {
    const { access } = await h.signIn('rob.refresh');
    const [header, payload, signature] = access.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'ops' })).toString('base64url');
    for (const tampered of [
      `${header}.${elevated}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
    ]) {
      for (const api of [h.api(tampered), probe.api(tampered)]) {
        const res = await api.get('/v1/whoami');
        expect(res.status).toBe(401);
        expect(problem(res).type).toBe('https://omni.dev/problems/token-invalid');
      }
    }
    const foreign = await startIdentity();
    try {
      const stranger = await foreign.svc.issueTokenFor('root.ops');
      expect((await probe.api(stranger).get('/v1/whoami')).status).toBe(401);
    } finally {
      await foreign.stop();
    }
  });

  it('expire after 15 minutes (an identity whose clock is an hour behind issues already-expired tokens)', async () => {
    const past = await startIdentity({ clock: new TestClock(Date.now() - 60 * MIN) });
    try {
      await past.create({ kind: 'rider', username: 'old.rider', password: PASSWORD, riderId: 'R-old' });
      const res = await past.token({ grant_type: 'password', username: 'old.rider', password: PASSWORD });
      expect(res.status).toBe(200);
      const checked = await past.api(res.body.access_token as string).get('/v1/me');
      expect(checked.status).toBe(401);
      expect(problem(checked).type).toBe('https://omni.dev/problems/token-expired');
    } finally {
      await past.stop();
    }
  });
});

describe('key rotation', () => {
  it('keeps old tokens valid until they expire, signs new ones with the new key, publishes both', async () => {
    const before = await h.signIn('rob.refresh');
    const oldKid = decodeProtectedHeader(before.access).kid;
    const rotated = await h
      .api(h.ops)
      .post<{ kid: string; state: string }>('/v1/keys/rotate', { activateInSeconds: 60 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.state).toBe('pending');
    // Published before it signs, so verifiers' caches have it in time.
    const jwks = await h
      .api()
      .get<{ keys: Array<{ kid: string; alg: string; d?: string }> }>('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
    expect(jwks.body.keys.every((k) => k.alg === 'ES256' && k.d === undefined)).toBe(true);
    expect(decodeProtectedHeader((await h.signIn('rob.refresh')).access).kid).toBe(oldKid);

    h.clock.advance(61_000);
    const after = await h.signIn('rob.refresh');
    expect(decodeProtectedHeader(after.access).kid).toBe(rotated.body.kid);
    for (const t of [before.access, after.access]) {
      expect((await probe.api(t).get('/v1/stores/S1/stock')).status).toBe(200);
      expect((await h.api(t).get('/v1/me')).status).toBe(200);
    }
    const keys = await h.api(h.ops).get<{ items: Array<{ kid: string; state: string }> }>('/v1/keys');
    expect(keys.body.items.find((k) => k.kid === oldKid)?.state).toBe('retiring');
    expect(keys.body.items.find((k) => k.kid === rotated.body.kid)?.state).toBe('active');

    // Once every token of the old key has expired (by identity's clock), the key leaves the JWKS and is deleted.
    h.clock.advance(17 * MIN);
    const later = await h.api().get<{ keys: Array<{ kid: string }> }>('/.well-known/jwks.json');
    expect(later.body.keys.map((k) => k.kid)).toEqual([rotated.body.kid]);
    expect((await h.svc.sweep()).keys).toBe(1);
    expect((await h.api(after.access).get('/v1/me')).status).toBe(200);
  });

  it('keeps a key published as long as a long-lived (demo) token it signed lives', async () => {
    const kid = (await h.svc.rotateKeys()).kid;
    const demo = await h.svc.issueTokenFor('rob.refresh', { ttlSeconds: 7 * 86_400, demo: true });
    expect(decodeProtectedHeader(demo).kid).toBe(kid);
    await h.svc.rotateKeys();
    h.clock.advance(2 * 86_400_000);
    expect((await probe.api(demo).get('/v1/stores/S1/stock')).status).toBe(200);
    const jwks = await h.api().get<{ keys: Array<{ kid: string }> }>('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid)).toContain(kid);
  });
});

describe('client credentials', () => {
  it('issues service tokens with the granted scopes or a requested subset', async () => {
    const { clientSecret } = await h.create({
      kind: 'service',
      username: 'orders-client',
      scopes: ['inventory:read', 'inventory:reserve'],
    });
    expect(clientSecret).toMatch(/^cs_/);
    const full = await h.token({
      grant_type: 'client_credentials',
      client_id: 'orders-client',
      client_secret: clientSecret,
    });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ scope: 'inventory:read inventory:reserve' });
    expect(full.body.refresh_token).toBeUndefined();
    const who = await probe.api(full.body.access_token as string).get('/v1/whoami');
    expect(who.body).toMatchObject({
      role: 'service',
      scopes: ['inventory:read', 'inventory:reserve'],
      amr: ['client_secret'],
    });
    expect((await probe.api(full.body.access_token as string).get('/v1/stores/S9/stock')).status).toBe(200);
    expect((await probe.api(full.body.access_token as string).post('/v1/stores/S9/adjustments')).status).toBe(
      403,
    );

    const narrow = await h.token({
      grant_type: 'client_credentials',
      client_id: 'orders-client',
      client_secret: clientSecret,
      scope: 'inventory:reserve',
    });
    expect(narrow.body).toMatchObject({ scope: 'inventory:reserve' });
    expect((await probe.api(narrow.body.access_token as string).get('/v1/stores/S9/stock')).status).toBe(403);

    const wider = await h.token({
      grant_type: 'client_credentials',
      client_id: 'orders-client',
      client_secret: clientSecret,
      scope: 'inventory:adjust',
    });
    expect(wider.status).toBe(400);
    expect(problem(wider).error).toBe('invalid_scope');
    const wrong = await h.token({
      grant_type: 'client_credentials',
      client_id: 'orders-client',
      client_secret: 'cs_wrong',
    });
    expect(wrong.status).toBe(401);
    expect(problem(wrong).error).toBe('invalid_client');
    // A service client cannot use the password grant with its secret.
    expect(
      (await h.token({ grant_type: 'password', username: 'orders-client', password: clientSecret ?? '' }))
        .status,
    ).toBe(401);
  });

  it('binds a POS client to its store', async () => {
    const { clientSecret } = await h.create({
      kind: 'service',
      username: 'pos-s1',
      scopes: ['pos:sync', 'inventory:read'],
      stores: { S1: 'clerk' },
    });
    const res = await h.token({
      grant_type: 'client_credentials',
      client_id: 'pos-s1',
      client_secret: clientSecret,
    });
    const token = res.body.access_token as string;
    expect((await probe.api(token).get('/v1/stores/S1/stock')).status).toBe(200);
    expect((await probe.api(token).get('/v1/stores/S2/stock')).status).toBe(403);
  });

  it('a rotated secret replaces the old one and revokes the tokens got with it', async () => {
    const { id, clientSecret } = await h.create({
      kind: 'service',
      username: 'rotating-client',
      scopes: ['catalog:read'],
    });
    const before = await h.token({
      grant_type: 'client_credentials',
      client_id: 'rotating-client',
      client_secret: clientSecret,
    });
    const rotated = await h.api(h.ops).post<{ clientSecret: string }>(`/v1/accounts/${id}/client-secret`);
    expect(rotated.status).toBe(200);
    expect(
      (
        await h.token({
          grant_type: 'client_credentials',
          client_id: 'rotating-client',
          client_secret: clientSecret,
        })
      ).status,
    ).toBe(401);
    h.clock.advance(1000);
    const after = await h.token({
      grant_type: 'client_credentials',
      client_id: 'rotating-client',
      client_secret: rotated.body.clientSecret,
    });
    expect(after.status).toBe(200);
    expect((await h.api(before.body.access_token as string).get('/v1/me')).status).toBe(401);
    expect((await h.api(after.body.access_token as string).get('/v1/me')).status).toBe(200);
  });

  it('issues cached service tokens in-process for the embedded runtime', async () => {
    const a = await h.svc.issueServiceToken('orders-client');
    expect(await h.svc.issueServiceToken('orders-client')).toBe(a);
    expect((await probe.api(a).get('/v1/stores/S3/stock')).status).toBe(200);
    await expect(h.svc.issueServiceToken('rob.refresh')).rejects.toThrow(/not found/);
  });
});

describe('discovery document', () => {
  /** fetch always sends the real Host; node:http sends whatever a hostile client would. */
  const discovery = (base: string, headers: Record<string, string>) =>
    new Promise<Record<string, string>>((resolve, reject) => {
      const req = httpRequest(`${base}/.well-known/openid-configuration`, { headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(JSON.parse(text) as Record<string, string>));
      });
      req.on('error', reject);
      req.end();
    });

  it('names the configured public URL, never the Host header the caller sent', async () => {
    const hostile: Array<Record<string, string>> = [
      { host: 'evil.example' },
      { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    ];
    for (const headers of hostile) {
      const doc = await discovery(h.svc.url, headers);
      expect(doc.token_endpoint).toBe(`${h.svc.url}/v1/auth/token`);
      expect(doc.jwks_uri).toBe(`${h.svc.url}/.well-known/jwks.json`);
    }
    const pub = await startIdentity({ settings: { publicUrl: 'https://id.omni.example/' } });
    try {
      expect(await discovery(pub.svc.url, { host: 'evil.example' })).toMatchObject({
        token_endpoint: 'https://id.omni.example/v1/auth/token',
        jwks_uri: 'https://id.omni.example/.well-known/jwks.json',
      });
    } finally {
      await pub.stop();
    }
  });
});
