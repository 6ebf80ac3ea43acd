import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, MIN, PASSWORD, startIdentity, type IdentityHarness } from './harness';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity({ settings: { password: { historySize: 3, maxAgeDays: 90 } } });
});
afterAll(async () => h?.stop());

const problem = (res: { body: unknown }) => res.body as { type: string; error?: string; detail?: string };

describe('password sign-in', () => {
  it('issues an access + refresh token for the right password, with the account claims', async () => {
    await h.create({
      kind: 'store_staff',
      username: 'clara.clerk',
      password: PASSWORD,
      stores: { S1: 'clerk' },
    });
    const res = await h.token({ grant_type: 'password', username: 'Clara.Clerk', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(String(res.body.refresh_token)).toMatch(/^rt_/);
    const me = await h.api(res.body.access_token as string).get('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      account: {
        username: 'clara.clerk',
        kind: 'store_staff',
        stores: { S1: 'clerk' },
        mfa: { required: false },
      },
      token: { amr: ['pwd'], restrictions: [] },
    });
    const [, payload] = String(res.body.access_token).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: 'omni-identity',
      aud: 'omni',
      role: 'store_staff',
      stores: { S1: 'clerk' },
      amr: ['pwd'],
    });
    expect(typeof claims.jti).toBe('string');
    expect(typeof claims.sid).toBe('string');
  });

  it('answers a wrong password and an unknown user the same way (401 invalid_grant)', async () => {
    await h.create({ kind: 'rider', username: 'rita.rider', password: PASSWORD, riderId: 'R1' });
    const wrong = await h.token({
      grant_type: 'password',
      username: 'rita.rider',
      password: 'not-the-password',
    });
    const unknown = await h.token({
      grant_type: 'password',
      username: 'nobody.here',
      password: 'not-the-password',
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(problem(res)).toMatchObject({
        type: 'https://omni.dev/problems/invalid_grant',
        error: 'invalid_grant',
      });
    }
    expect(problem(wrong).detail).toBe(problem(unknown).detail);
    const missing = await h.token({ grant_type: 'password', username: 'rita.rider' });
    expect(missing.status).toBe(400);
    expect(problem(missing).error).toBe('invalid_request');
    const extra = await h.token({
      grant_type: 'password',
      username: 'rita.rider',
      password: PASSWORD,
      admin: true,
    });
    expect(extra.status).toBe(400);
  });
});

describe('lockout and backoff', () => {
  it('backs off exponentially after the free failures, locks after ten, and refuses even the right password while locked', async () => {
    await h.create({ kind: 'rider', username: 'lars.locked', password: PASSWORD, riderId: 'R-lock' });
    const attempt = (password: string) =>
      h.token({ grant_type: 'password', username: 'lars.locked', password });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password-123')).status).toBe(401);
    // Third failure earned a 1 s wait: refused without checking the password, even the right one.
    const waiting = await attempt(PASSWORD);
    expect(waiting.status).toBe(429);
    expect(problem(waiting).error).toBe('too_many_attempts');
    expect(waiting.headers.get('retry-after')).toBe('1');
    h.clock.advance(1_000);
    expect((await attempt('wrong-password-123')).status).toBe(401);
    const longer = await attempt('wrong-password-123');
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
    // Keep failing after each wait: the waits double, the tenth failure locks.
    let retryAfter = 2;
    for (let failures = 4; failures < 10; failures++) {
      h.clock.advance(retryAfter * 1000);
      expect((await attempt('wrong-password-123')).status).toBe(401);
      const next = await attempt('wrong-password-123');
      retryAfter = Number(next.headers.get('retry-after'));
      if (failures < 9) {
        expect(next.status).toBe(429);
        expect(retryAfter).toBe(2 ** (failures - 2));
      } else {
        expect(next.status).toBe(423);
        expect(problem(next).error).toBe('account_locked');
        expect(retryAfter).toBe(15 * 60);
      }
    }
    h.clock.advance(5 * MIN);
    expect((await attempt(PASSWORD)).status).toBe(423);
    h.clock.advance(10 * MIN + 1000);
    expect((await attempt(PASSWORD)).status).toBe(200);
    // Success forgets the failures.
    expect((await attempt('wrong-password-123')).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(200);
    const audit = await h.svc.audit.query({ action: 'auth.account-locked' }, { limit: 10 });
    expect(audit.items.length).toBeGreaterThan(0);
  });

  it('lets at most the free failures plus one attempt check a password in a parallel burst', async () => {
    await h.create({ kind: 'rider', username: 'burst.target', password: PASSWORD, riderId: 'R-burst' });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        h.token({ grant_type: 'password', username: 'burst.target', password: `guess-number-${i}` }),
      ),
    );
    const checked = results.filter((r) => r.status === 401).length;
    const refused = results.filter((r) => r.status === 429 || r.status === 423).length;
    expect(checked + refused).toBe(40);
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(4);
    const state = await h.svc.context.throttle.state('user:burst.target');
    expect(state?.failures).toBe(checked);
  });

  it('ops can unlock a locked account', async () => {
    const { id } = await h.create({
      kind: 'rider',
      username: 'una.unlock',
      password: PASSWORD,
      riderId: 'R-unlock',
    });
    for (let i = 0; i < 3; i++)
      await h.token({ grant_type: 'password', username: 'una.unlock', password: 'wrong-password-123' });
    expect(
      (await h.token({ grant_type: 'password', username: 'una.unlock', password: PASSWORD })).status,
    ).toBe(429);
    expect((await h.api(h.ops).post(`/v1/accounts/${id}/unlock`)).status).toBe(204);
    expect(
      (await h.token({ grant_type: 'password', username: 'una.unlock', password: PASSWORD })).status,
    ).toBe(200);
  });

  it('backs off per IP address across usernames', async () => {
    const ipLimited = await startIdentity({ settings: { ipBackoff: { freeFailures: 5 } } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await ipLimited.token({
          grant_type: 'password',
          username: `sprayed.user${i}`,
          password: 'wrong-password-123',
        });
        expect(res.status).toBe(401);
      }
      const refused = await ipLimited.token({
        grant_type: 'password',
        username: 'another.user',
        password: 'wrong-password-123',
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await ipLimited.stop();
    }
  });
});

describe('TOTP second factor', () => {
  it('ops and managers must enrol: until then their token only opens the enrolment', async () => {
    await h.create({
      kind: 'store_staff',
      username: 'mona.manager',
      password: PASSWORD,
      stores: { S1: 'manager' },
    });
    const first = await h.token({ grant_type: 'password', username: 'mona.manager', password: PASSWORD });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mfa_enrolment_required: true });
    expect(first.body.refresh_token).toBeUndefined();
    const restricted = first.body.access_token as string;
    expect((await h.api(restricted).get('/v1/accounts')).status).toBe(403);
    const denied = await h
      .api(restricted)
      .post('/v1/me/password', { currentPassword: PASSWORD, newPassword: 'another-password-1' });
    expect(denied.status).toBe(403);
    expect(problem(denied).type).toBe('https://omni.dev/problems/mfa-enrolment-required');
    expect((await h.api(restricted).get('/v1/me')).body).toMatchObject({
      token: { restrictions: ['mfa-enrolment'] },
    });
    // The enrolment returns the URI once; confirming needs a valid first code.
    const start = await h.api(restricted).post<{ otpauthUri: string }>('/v1/me/totp');
    expect(start.status).toBe(201);
    expect(start.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Omni:mona\.manager\?/);
    const secret = new URL(start.body.otpauthUri).searchParams.get('secret') ?? '';
    expect((await h.api(restricted).post('/v1/me/totp/confirm', { code: '000000' })).status).toBe(422);
    expect((await h.api(restricted).post('/v1/me/totp/confirm', { code: h.code(secret) })).status).toBe(204);
    expect((await h.api(restricted).post('/v1/me/totp')).status).toBe(409);

    h.clock.advance(30_000);
    const noCode = await h.token({ grant_type: 'password', username: 'mona.manager', password: PASSWORD });
    expect(noCode.status).toBe(401);
    expect(problem(noCode)).toMatchObject({
      type: 'https://omni.dev/problems/mfa_required',
      error: 'mfa_required',
    });
    const wrongCode = await h.token({
      grant_type: 'password',
      username: 'mona.manager',
      password: PASSWORD,
      totp: '123456',
    });
    expect(wrongCode.status).toBe(401);
    expect(problem(wrongCode).error).toBe('invalid_otp');
    // A wrong password with a right code is still a wrong password.
    const code = h.code(secret);
    const badPassword = await h.token({
      grant_type: 'password',
      username: 'mona.manager',
      password: 'wrong-password-123',
      totp: code,
    });
    expect(problem(badPassword).error).toBe('invalid_grant');
    const ok = await h.token({
      grant_type: 'password',
      username: 'mona.manager',
      password: PASSWORD,
      totp: code,
    });
    expect(ok.status).toBe(200);
    expect((await h.api(ok.body.access_token as string).get('/v1/me')).body).toMatchObject({
      token: { amr: ['pwd', 'otp'] },
    });
    const replay = await h.token({
      grant_type: 'password',
      username: 'mona.manager',
      password: PASSWORD,
      totp: code,
    });
    expect(replay.status).toBe(401);
    expect(problem(replay).error).toBe('otp_replayed');
    h.clock.advance(30_000);
    expect(
      (
        await h.token({
          grant_type: 'password',
          username: 'mona.manager',
          password: PASSWORD,
          totp: h.code(secret),
        })
      ).status,
    ).toBe(200);
  });

  it('ops reset a lost second factor: tokens revoked, the account enrols again', async () => {
    const { id } = await h.create({ kind: 'ops', username: 'otto.ops', password: PASSWORD });
    const first = await h.token({ grant_type: 'password', username: 'otto.ops', password: PASSWORD });
    const restricted = first.body.access_token as string;
    // Even ops, with every permission, can do nothing else before enrolling (account administration
    // would be refused anyway: it needs otp in the token).
    const denied = await h.api(restricted).get('/v1/audit');
    expect(denied.status).toBe(403);
    expect(problem(denied).type).toBe('https://omni.dev/problems/mfa-enrolment-required');
    const secret = await h.enrolTotp(restricted);
    h.clock.advance(30_000);
    const full = await h.signIn('otto.ops', PASSWORD, h.code(secret));
    expect((await h.api(full.access).get('/v1/accounts')).status).toBe(200);
    expect((await h.api(h.ops).delete(`/v1/accounts/${id}/totp`)).status).toBe(204);
    expect((await h.api(full.access).get('/v1/accounts')).status).toBe(401);
    const again = await h.token({ grant_type: 'password', username: 'otto.ops', password: PASSWORD });
    expect(again.body).toMatchObject({ mfa_enrolment_required: true });
  });
});

describe('password rotation and reuse', () => {
  it('an expired password yields a token that only changes the password; reuse of the last N is refused', async () => {
    await h.create({ kind: 'rider', username: 'paul.rotate', password: PASSWORD, riderId: 'R-rot' });
    const before = await h.signIn('paul.rotate');
    h.clock.advance(91 * DAY);
    // The session from before the expiry cannot be refreshed past it.
    const refresh = await h.token({ grant_type: 'refresh_token', refresh_token: before.refresh });
    expect(refresh.status).toBe(401);
    const expired = await h.token({ grant_type: 'password', username: 'paul.rotate', password: PASSWORD });
    expect(expired.status).toBe(200);
    expect(expired.body).toMatchObject({ pwd_expired: true });
    expect(expired.body.refresh_token).toBeUndefined();
    const restricted = expired.body.access_token as string;
    const denied = await h.api(restricted).post('/v1/me/totp');
    expect(denied.status).toBe(403);
    expect(problem(denied).type).toBe('https://omni.dev/problems/password-expired');
    expect((await h.api(restricted).get('/v1/me')).status).toBe(200);

    const change = (currentPassword: string, newPassword: string, token = restricted) =>
      h.api(token).post('/v1/me/password', { currentPassword, newPassword });
    expect((await change('wrong-password-123', 'fresh-password-one')).status).toBe(422);
    const weak = await change(PASSWORD, 'password2024!');
    expect(weak.status).toBe(422);
    expect(problem(weak).type).toBe('https://omni.dev/problems/password-policy');
    expect(problem(await change(PASSWORD, 'paul.rotate')).type).toBe(
      'https://omni.dev/problems/password-policy',
    );
    const same = await change(PASSWORD, PASSWORD);
    expect(problem(same).type).toBe('https://omni.dev/problems/password-reused');
    expect((await change(PASSWORD, 'fresh-password-one')).status).toBe(204);
    // Every token of the old password is revoked, the restricted one included.
    expect((await h.api(restricted).get('/v1/me')).status).toBe(401);

    const second = await h.signIn('paul.rotate', 'fresh-password-one');
    expect((await change('fresh-password-one', 'fresh-password-two', second.access)).status).toBe(204);
    const third = await h.signIn('paul.rotate', 'fresh-password-two');
    // History of 3: the current and the two before it are remembered.
    expect(problem(await change('fresh-password-two', PASSWORD, third.access)).type).toBe(
      'https://omni.dev/problems/password-reused',
    );
    expect(problem(await change('fresh-password-two', 'fresh-password-one', third.access)).type).toBe(
      'https://omni.dev/problems/password-reused',
    );
    expect((await change('fresh-password-two', 'fresh-password-three', third.access)).status).toBe(204);
    const fourth = await h.signIn('paul.rotate', 'fresh-password-three');
    expect((await change('fresh-password-three', PASSWORD, fourth.access)).status).toBe(204);
    expect((await h.signIn('paul.rotate', PASSWORD)).access).toBeTruthy();
  });

  it('a password set by ops is temporary: the first sign-in must change it', async () => {
    const { id } = await h.create({
      kind: 'store_staff',
      username: 'tina.temp',
      password: PASSWORD,
      stores: { S2: 'clerk' },
      mustChangePassword: true,
    });
    const first = await h.token({ grant_type: 'password', username: 'tina.temp', password: PASSWORD });
    expect(first.body).toMatchObject({ pwd_expired: true });
    const reset = await h
      .api(h.ops)
      .post(`/v1/accounts/${id}/password`, { password: 'temporary-pass-42', mustChange: false });
    expect(reset.status).toBe(204);
    expect((await h.signIn('tina.temp', 'temporary-pass-42')).refresh).toMatch(/^rt_/);
  });
});
