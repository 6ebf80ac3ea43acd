import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { OUTBOX_COLLECTION } from '@omni/events';
import { waitFor } from '@omni/testing';
import { PASSWORD, startIdentity, startProbeService, type IdentityHarness } from './harness';

/**
 * Runs a full account life (create, enrol TOTP, sign in, refresh, reuse, logout, client
 * credentials, password change, failed attempts) with every log line of identity and of another
 * service captured at trace level, then greps the logs for every secret that was used.
 */
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    cb();
  },
});

let h: IdentityHarness;
let probe: Awaited<ReturnType<typeof startProbeService>>;
beforeAll(async () => {
  h = await startIdentity({
    logLevel: 'trace',
    logDestination: sink,
    encryptionSecret: 'test-encryption-secret-0123456789abcdef',
  });
  probe = await startProbeService({ identity: h.svc, bus: h.bus, via: 'jwks-url', logDestination: sink });
});
afterAll(async () => {
  await probe?.stop();
  await h?.stop();
});

describe('secrets never reach the logs', () => {
  it('a full sign-in / refresh / logout run leaves no password, token, TOTP secret or code in any log line', async () => {
    const secrets: Record<string, string> = { PASSWORD };
    const newPassword = 'brand-new-password-77';
    const wrongPassword = 'wrong-but-secret-password-1';
    secrets.newPassword = newPassword;
    secrets.wrongPassword = wrongPassword;
    secrets.opsToken = h.ops;

    await h.create({
      kind: 'store_staff',
      username: 'mia.manager',
      password: PASSWORD,
      stores: { S1: 'manager' },
    });
    const restricted = await h.token(
      { grant_type: 'password', username: 'mia.manager', password: PASSWORD },
      { 'idempotency-key': 'sign-in-1' },
    );
    secrets.restrictedToken = restricted.body.access_token as string;
    const start = await h.api(secrets.restrictedToken).post<{ otpauthUri: string }>('/v1/me/totp');
    secrets.otpauthUri = start.body.otpauthUri;
    const totpSecret = new URL(start.body.otpauthUri).searchParams.get('secret') ?? '';
    secrets.totpSecret = totpSecret;
    secrets.firstCode = h.code(totpSecret);
    expect(
      (await h.api(secrets.restrictedToken).post('/v1/me/totp/confirm', { code: secrets.firstCode })).status,
    ).toBe(204);

    h.clock.advance(30_000);
    secrets.signInCode = h.code(totpSecret);
    const wrongTotp = await h.token({
      grant_type: 'password',
      username: 'mia.manager',
      password: PASSWORD,
      totp: '999999',
    });
    expect(wrongTotp.status).toBe(401);
    const session = await h.signIn('mia.manager', PASSWORD, secrets.signInCode);
    secrets.access1 = session.access;
    secrets.refresh1 = session.refresh;
    expect((await probe.api(session.access).get('/v1/stores/S1/stock')).status).toBe(200);
    const refreshed = await h.token({ grant_type: 'refresh_token', refresh_token: session.refresh });
    secrets.access2 = refreshed.body.access_token as string;
    secrets.refresh2 = refreshed.body.refresh_token as string;
    // Reuse of the first refresh token (logged as a warning: without the token).
    expect((await h.token({ grant_type: 'refresh_token', refresh_token: session.refresh })).status).toBe(401);
    await waitFor(async () => (await probe.api(secrets.access2 ?? '').get('/v1/whoami')).status === 401);

    h.clock.advance(30_000);
    const again = await h.signIn('mia.manager', PASSWORD, h.code(totpSecret));
    secrets.access3 = again.access;
    secrets.refresh3 = again.refresh;
    expect(
      (
        await h
          .api(again.access)
          .post('/v1/auth/logout', undefined, { headers: { 'idempotency-key': 'logout-1' } })
      ).status,
    ).toBe(204);

    const { clientSecret } = await h.create({
      kind: 'service',
      username: 'pos.client',
      scopes: ['pos:sync'],
      stores: { S1: 'clerk' },
    });
    secrets.clientSecret = clientSecret ?? '';
    const svcToken = await h.token({
      grant_type: 'client_credentials',
      client_id: 'pos.client',
      client_secret: clientSecret,
    });
    secrets.serviceToken = svcToken.body.access_token as string;
    await h.token({
      grant_type: 'client_credentials',
      client_id: 'pos.client',
      client_secret: 'cs_wrong-secret-value',
    });
    secrets.wrongClientSecret = 'cs_wrong-secret-value';

    h.clock.advance(30_000);
    const forChange = await h.signIn('mia.manager', PASSWORD, h.code(totpSecret));
    secrets.access4 = forChange.access;
    secrets.refresh4 = forChange.refresh;
    expect(
      (await h.api(forChange.access).post('/v1/me/password', { currentPassword: PASSWORD, newPassword }))
        .status,
    ).toBe(204);
    await h.token({ grant_type: 'password', username: 'mia.manager', password: wrongPassword });
    await h.api().get('/v1/me', { headers: { authorization: `Bearer ${secrets.access4}` } });

    await h.svc.events.flush();
    expect(lines.some((l) => l.includes('"url":"/v1/auth/token"'))).toBe(true);
    expect(lines.length).toBeGreaterThan(30);
    const log = lines.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(5);
      expect(log.includes(secret), `${name} appears in the logs`).toBe(false);
      // Nor the signature part of a token on its own.
      if (secret.split('.').length === 3)
        expect(log.includes(secret.split('.')[2] ?? ''), `${name} signature`).toBe(false);
    }

    // At rest: only hashes of passwords, refresh tokens and client secrets; TOTP seed and private keys
    // encrypted; nothing in the outbox, the audit log or the idempotency records.
    const c = h.svc.context.collections;
    const stored = JSON.stringify([
      await c.accounts.find({}),
      await c.refreshTokens.find({}),
      await c.sessions.find({}),
      await c.signingKeys.find({}),
      await c.auditAll.find({}),
      await h.svc.store.collection('audit_log').find({}),
      await h.svc.store.collection('idempotency_keys').find({}),
      await h.svc.store.collection(OUTBOX_COLLECTION).find({}),
    ]);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(stored.includes(secret), `${name} stored in clear`).toBe(false);
      expect(stored.includes(Buffer.from(secret).toString('base64url')), `${name} stored encoded`).toBe(
        false,
      );
    }
    expect(stored).not.toContain('"d":"');
  });
});
