import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { DEMO_PASSWORDS, demoTotpSecret, seedIdentity, type IdentitySeedResult } from '../src';
import { startIdentity, startProbeService, type IdentityHarness } from './harness';

let h: IdentityHarness;
let probe: Awaited<ReturnType<typeof startProbeService>>;
let seeded: IdentitySeedResult;
beforeAll(async () => {
  // Stands for the production cost here (the harness default is cheaper still).
  h = await startIdentity({ settings: { scrypt: { logN: 13 } } });
  probe = await startProbeService({ identity: h.svc, bus: h.bus, via: 'in-process' });
  seeded = await seedIdentity(h.svc, {
    stores: ['store-1', 'store-2'],
    riders: ['rider-1'],
    customers: [{ customerId: 'cust-1', email: 'demo.customer@omni.example' }, 'cust-2'],
    demoTokenTtlSeconds: 30 * 86_400,
  });
});
afterAll(async () => {
  await probe?.stop();
  await h?.stop();
});

describe('demo seed', () => {
  it('creates one named account per role and binding, with demo passwords and TOTP for ops and managers', () => {
    expect(seeded.warning).toMatch(/DEMO ONLY/);
    const byName = Object.fromEntries(seeded.accounts.map((a) => [a.username, a]));
    expect(byName['ops.demo']).toMatchObject({
      role: 'ops',
      password: DEMO_PASSWORDS.ops,
      totpSecret: demoTotpSecret('ops.demo'),
    });
    expect(byName['manager.store-1']).toMatchObject({ role: 'manager', stores: { 'store-1': 'manager' } });
    expect(byName['manager.store-1']?.totpSecret).toBeTruthy();
    expect(byName['clerk.store-2']).toMatchObject({ role: 'clerk', stores: { 'store-2': 'clerk' } });
    expect(byName['clerk.store-2']?.totpSecret).toBeUndefined();
    expect(byName['rider.rider-1']).toMatchObject({ riderId: 'rider-1' });
    expect(byName['demo.customer@omni.example']).toMatchObject({ customerId: 'cust-1' });
    expect(byName['customer.cust-2']).toMatchObject({ customerId: 'cust-2' });
    expect(byName['pos.store-1']).toMatchObject({ role: 'pos', scopes: ['pos:sync', 'inventory:read'] });
    expect(byName.orders?.clientSecret).toMatch(/^cs_/);
  });

  it('prints long-lived demo tokens per role that other services accept with the right scope', async () => {
    const { tokens } = seeded;
    for (const role of ['ops', 'clerk', 'manager', 'rider', 'customer', 'service'])
      expect(tokens[role], role).toBeTruthy();
    const claims = decodeJwt(tokens.ops ?? '');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(30 * 86_400);
    expect(claims.demo).toBe(true);
    expect(Date.parse(seeded.tokenExpiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const call = async (token: string | undefined, path: string) => (await probe.api(token).get(path)).status;
    expect(await call(tokens['clerk:store-1'], '/v1/stores/store-1/stock')).toBe(200);
    expect(await call(tokens['clerk:store-1'], '/v1/stores/store-2/stock')).toBe(403);
    expect((await probe.api(tokens['manager:store-2']).post('/v1/stores/store-2/adjustments')).status).toBe(
      201,
    );
    expect((await probe.api(tokens['clerk:store-2']).post('/v1/stores/store-2/adjustments')).status).toBe(
      403,
    );
    expect(await call(tokens['rider:rider-1'], '/v1/riders/rider-1/jobs')).toBe(200);
    expect(await call(tokens['pos:store-1'], '/v1/stores/store-1/stock')).toBe(200);
    expect(await call(tokens['pos:store-1'], '/v1/stores/store-2/stock')).toBe(403);
    expect(await call(tokens.ops, '/v1/stores/anywhere/stock')).toBe(200);
    expect((await probe.api(tokens['customer:cust-1']).get('/v1/whoami')).body).toMatchObject({
      customerId: 'cust-1',
    });
  });

  it('demo accounts sign in with their passwords (and the TOTP derived from the printed secret)', async () => {
    expect((await h.signIn('rider.rider-1', DEMO_PASSWORDS.rider)).access).toBeTruthy();
    const noCode = await h.token({
      grant_type: 'password',
      username: 'manager.store-1',
      password: DEMO_PASSWORDS.manager,
    });
    expect((noCode.body as { error: string }).error).toBe('mfa_required');
    const code = h.code(demoTotpSecret('manager.store-1'));
    expect((await h.signIn('manager.store-1', DEMO_PASSWORDS.manager, code)).access).toBeTruthy();
  });

  it('seeds at the configured scrypt cost: a wrong password on a demo account costs the work of an unknown name', async () => {
    for (const username of [
      'ops.demo',
      'manager.store-1',
      'clerk.store-2',
      'rider.rider-1',
      'demo.customer@omni.example',
    ])
      expect(
        (await h.svc.context.collections.accounts.findOne({ username }))?.password?.hash.logN,
        username,
      ).toBe(h.svc.settings.scrypt.logN);
    const work = async () => {
      const text = (await h.api().get<string>('/metrics')).body;
      return Number(/^identity_password_kdf_work_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const spent = async (username: string) => {
      const before = await work();
      const res = await h.token({ grant_type: 'password', username, password: 'not-the-password-42' });
      expect(res.status).toBe(401);
      return (await work()) - before;
    };
    const unknown = await spent('nobody.at.all');
    expect(unknown).toBe(2 ** h.svc.settings.scrypt.logN * h.svc.settings.scrypt.r * h.svc.settings.scrypt.p);
    for (const username of [
      'clerk.store-1',
      'manager.store-2',
      'rider.rider-1',
      'demo.customer@omni.example',
    ])
      expect(await spent(username), username).toBe(unknown);
  });

  it('is idempotent: seeding again keeps the accounts and issues fresh tokens', async () => {
    const count = await h.svc.context.collections.accounts.countDocuments({});
    const again = await seedIdentity(h.svc, {
      stores: ['store-1', 'store-2'],
      riders: ['rider-1'],
      customers: ['cust-2'],
    });
    expect(await h.svc.context.collections.accounts.countDocuments({})).toBe(count);
    expect(
      again.accounts.every((a) => !a.created && a.password === undefined && a.clientSecret === undefined),
    ).toBe(true);
    const claims = decodeJwt(again.tokens.ops ?? '');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(h.svc.settings.accessTtlSeconds);
  });
});
