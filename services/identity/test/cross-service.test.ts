import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@omni/testing';
import { DAY, PASSWORD, startIdentity, startProbeService, type IdentityHarness } from './harness';

/**
 * Another kit-built service verifies identity's tokens itself, with the JWKS fetched over HTTP
 * (as a separately deployed service would), and learns revocations from the bus through
 * subscribeRevocations.
 */
type Probe = Awaited<ReturnType<typeof startProbeService>>;
let h: IdentityHarness;
let probe: Probe;
beforeAll(async () => {
  h = await startIdentity();
  probe = await startProbeService({ identity: h.svc, bus: h.bus, via: 'jwks-url' });
  await h.create({
    kind: 'store_staff',
    username: 'sam.clerk',
    password: PASSWORD,
    stores: { 'store-a': 'clerk' },
  });
  await h.create({ kind: 'rider', username: 'rider.a', password: PASSWORD, riderId: 'rider-a' });
});
afterAll(async () => {
  await probe?.stop();
  await h?.stop();
});

const status = async (token: string, path = '/v1/whoami') => (await probe.api(token).get(path)).status;
const revokedAtProbe = (token: string) =>
  waitFor(
    async () => {
      const res = await probe.api(token).get('/v1/whoami');
      return (
        res.status === 401 &&
        (res.body as { type: string }).type === 'https://omni.dev/problems/token-revoked'
      );
    },
    { timeoutMs: 5_000, what: 'the other service to refuse the revoked token' },
  );

describe('another service verifying identity tokens through the JWKS URL', () => {
  it('accepts identity tokens and applies their store and rider bindings', async () => {
    const clerk = await h.signIn('sam.clerk');
    expect(await status(clerk.access, '/v1/stores/store-a/stock')).toBe(200);
    expect(await status(clerk.access, '/v1/stores/store-b/stock')).toBe(403);
    const rider = await h.signIn('rider.a');
    expect(await status(rider.access, '/v1/riders/rider-a/jobs')).toBe(200);
    expect(await status(rider.access, '/v1/riders/rider-b/jobs')).toBe(403);
  });

  it('refuses a token within seconds of logout', async () => {
    const s = await h.signIn('sam.clerk');
    expect(await status(s.access)).toBe(200);
    expect((await h.api(s.access).post('/v1/auth/logout')).status).toBe(204);
    await revokedAtProbe(s.access);
  });

  it('refuses both access tokens of a family whose refresh token was reused', async () => {
    const s = await h.signIn('sam.clerk');
    const next = await h.token({ grant_type: 'refresh_token', refresh_token: s.refresh });
    const second = next.body.access_token as string;
    expect(await status(s.access)).toBe(200);
    expect(await status(second)).toBe(200);
    expect((await h.token({ grant_type: 'refresh_token', refresh_token: s.refresh })).status).toBe(401);
    await revokedAtProbe(s.access);
    await revokedAtProbe(second);
  });

  it('refuses every earlier token of a subject revoked by ops, but not the ones issued after', async () => {
    const { id } = await h.create({
      kind: 'rider',
      username: 'rider.revoked',
      password: PASSWORD,
      riderId: 'rider-r',
    });
    const one = await h.signIn('rider.revoked');
    const two = await h.signIn('rider.revoked');
    const res = await h.api(h.ops).post(`/v1/accounts/${id}/revoke-tokens`, { reason: 'phone stolen' });
    expect(res.status).toBe(200);
    await revokedAtProbe(one.access);
    await revokedAtProbe(two.access);
    // Signing in again right away (same second) gives a working token.
    const fresh = await h.signIn('rider.revoked');
    expect(await status(fresh.access)).toBe(200);
    expect((await h.token({ grant_type: 'refresh_token', refresh_token: one.refresh })).status).toBe(401);
  });

  it('refuses the tokens of a disabled account; the account cannot sign in until enabled', async () => {
    const { id } = await h.create({
      kind: 'store_staff',
      username: 'dora.disabled',
      password: PASSWORD,
      stores: { 'store-a': 'clerk' },
    });
    const s = await h.signIn('dora.disabled');
    expect((await h.api(h.ops).post(`/v1/accounts/${id}/disable`)).body).toMatchObject({
      status: 'disabled',
    });
    await revokedAtProbe(s.access);
    const signIn = await h.token({ grant_type: 'password', username: 'dora.disabled', password: PASSWORD });
    expect(signIn.status).toBe(403);
    expect((signIn.body as { error: string }).error).toBe('account_disabled');
    expect((await h.api(h.ops).post(`/v1/accounts/${id}/enable`)).body).toMatchObject({ status: 'active' });
    expect(await status((await h.signIn('dora.disabled')).access)).toBe(200);
  });

  it("revokes a clerk's tokens when ops change the clerk's stores", async () => {
    const { id } = await h.create({
      kind: 'store_staff',
      username: 'mo.moved',
      password: PASSWORD,
      stores: { 'store-a': 'clerk' },
    });
    const s = await h.signIn('mo.moved');
    const moved = await h.api(h.ops).patch(`/v1/accounts/${id}`, { stores: { 'store-b': 'clerk' } });
    expect(moved.status).toBe(200);
    await revokedAtProbe(s.access);
    const now = await h.signIn('mo.moved');
    expect(await status(now.access, '/v1/stores/store-b/stock')).toBe(200);
    expect(await status(now.access, '/v1/stores/store-a/stock')).toBe(403);
  });

  it('never accepts a restricted token (expired password)', async () => {
    await h.create({ kind: 'rider', username: 'rex.expired', password: PASSWORD, riderId: 'rider-x' });
    h.clock.advance(91 * DAY);
    const res = await h.token({ grant_type: 'password', username: 'rex.expired', password: PASSWORD });
    expect(res.body).toMatchObject({ pwd_expired: true });
    const denied = await probe.api(res.body.access_token as string).get('/v1/riders/rider-x/jobs');
    expect(denied.status).toBe(401);
    expect((denied.body as { type: string }).type).toBe('https://omni.dev/problems/token-invalid');
  });
});
