import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@omni/testing';
import { bootstrapOps } from '../src';
import { signAccessToken } from '../src/app/access-tokens';
import { PASSWORD, startIdentity, startProbeService, type IdentityHarness } from './harness';

type Probe = Awaited<ReturnType<typeof startProbeService>>;
let h: IdentityHarness;
let probe: Probe;
beforeAll(async () => {
  h = await startIdentity();
  probe = await startProbeService({ identity: h.svc, bus: h.bus, via: 'in-process' });
});
afterAll(async () => {
  await probe?.stop();
  await h?.stop();
});

/** Every property name anywhere in a JSON value. */
function fieldNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fieldNames);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...fieldNames(v)]);
}

interface AuditItem {
  id: string;
  service: string;
  action: string;
  actor: { sub: string; role: string };
  target: { type: string; id: string };
  outcome: string;
  at: string;
}

describe('accounts', () => {
  it('creates named accounts per kind, refuses missing or foreign bindings, duplicates and weak passwords', async () => {
    const api = h.api(h.ops);
    const bad = await api.post('/v1/accounts', {
      kind: 'store_staff',
      username: 'no.store',
      password: PASSWORD,
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(
      'body/stores',
    );
    const foreign = await api.post('/v1/accounts', {
      kind: 'customer',
      username: 'cu.x',
      password: PASSWORD,
      riderId: 'R1',
      customerId: 'C1',
    });
    expect((foreign.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual([
      'body/riderId',
    ]);
    const dottedStore = await api.post('/v1/accounts', {
      kind: 'store_staff',
      username: 'dot.store',
      password: PASSWORD,
      stores: { 'a.b': 'clerk' },
    });
    expect(dottedStore.status).toBe(400);
    const unknownScope = await api.post('/v1/accounts', {
      kind: 'service',
      username: 'svc.x',
      scopes: ['everything'],
    });
    expect(unknownScope.status).toBe(400);
    const weak = await api.post('/v1/accounts', {
      kind: 'rider',
      username: 'weak.rider',
      password: 'password123',
      riderId: 'R-w',
    });
    expect(weak.status).toBe(422);
    expect((weak.body as { type: string }).type).toBe('https://omni.dev/problems/password-policy');
    expect(await h.svc.context.collections.accounts.countDocuments({ username: 'weak.rider' })).toBe(0);

    const created = await api.post<{ account: Record<string, unknown> }>('/v1/accounts', {
      kind: 'customer',
      username: 'Cora@Shop.Example',
      phone: '+49 30 1234567',
      customerId: 'cust-1',
      password: PASSWORD,
      mustChangePassword: false,
    });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({
      username: 'cora@shop.example',
      phone: '+49301234567',
      kind: 'customer',
      customerId: 'cust-1',
    });
    // Checked on field names, not the serialised text: a random id may well contain "DK".
    expect(fieldNames(created.body).filter((k) => /^(dk|salt|hash|password)$/i.test(k))).toEqual([]);
    // Customers sign in with email or phone.
    expect((await h.signIn('+49 (30) 123-4567')).access).toBeTruthy();
    const who = await probe.api((await h.signIn('cora@shop.example')).access).get('/v1/whoami');
    expect(who.body).toMatchObject({ role: 'customer', customerId: 'cust-1' });

    const dupName = await api.post('/v1/accounts', {
      kind: 'rider',
      username: 'CORA@shop.example',
      password: PASSWORD,
      riderId: 'R-d',
    });
    expect(dupName.status).toBe(409);
    expect((dupName.body as { type: string }).type).toBe('https://omni.dev/problems/username-taken');
    const dupBinding = await api.post('/v1/accounts', {
      kind: 'customer',
      username: 'cora2@shop.example',
      password: PASSWORD,
      customerId: 'cust-1',
    });
    expect((dupBinding.body as { type: string }).type).toBe('https://omni.dev/problems/binding-taken');
  });

  it('creates accounts once under concurrency', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        h.api(h.ops).post('/v1/accounts', {
          kind: 'rider',
          username: 'racy.rider',
          password: PASSWORD,
          riderId: 'R-racy',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(24);
    expect(await h.svc.context.collections.accounts.countDocuments({ username: 'racy.rider' })).toBe(1);
  });

  it('lists and reads accounts for identity:manage only', async () => {
    await h.create({
      kind: 'store_staff',
      username: 'lisa.list',
      password: PASSWORD,
      stores: { 'store-l': 'clerk' },
    });
    const page = await h
      .api(h.ops)
      .get<{ items: Array<{ username: string }>; nextCursor: string | null }>(
        '/v1/accounts?kind=store_staff&storeId=store-l&limit=10',
      );
    expect(page.body.items.map((a) => a.username)).toEqual(['lisa.list']);
    const clerk = await h.signIn('lisa.list');
    expect((await h.api(clerk.access).get('/v1/accounts')).status).toBe(403);
    expect((await h.api().get('/v1/accounts')).status).toBe(401);
    let cursor: string | null = null;
    const seen: string[] = [];
    do {
      const p: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await h
        .api(h.ops)
        .get(`/v1/accounts?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...p.body.items.map((a) => a.id));
      cursor = p.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await h.svc.context.collections.accounts.countDocuments({}));
  });

  it('lets a sign-up client (identity:signup) create customer accounts only; no client ever holds identity:manage', async () => {
    // A client cannot even be given account administration.
    for (const scopes of [['identity:manage'], ['catalog:read', 'identity:manage']]) {
      const res = await h.api(h.ops).post('/v1/accounts', { kind: 'service', username: 'greedy', scopes });
      expect(res.status).toBe(400);
    }
    const { id, clientSecret } = await h.create({
      kind: 'service',
      username: 'storefront',
      scopes: ['identity:signup'],
    });
    expect(
      (await h.api(h.ops).patch(`/v1/accounts/${id}`, { scopes: ['identity:signup', 'identity:manage'] }))
        .status,
    ).toBe(400);
    const res = await h.token({
      grant_type: 'client_credentials',
      client_id: 'storefront',
      client_secret: clientSecret,
    });
    const storefront = h.api(res.body.access_token as string);
    expect(
      (
        await storefront.post('/v1/accounts', {
          kind: 'customer',
          username: 'new.shopper',
          password: PASSWORD,
          customerId: 'cust-9',
        })
      ).status,
    ).toBe(201);
    const before = await h.svc.context.collections.accounts.countDocuments({});
    for (const body of [
      { kind: 'ops', username: 'evil.ops', password: PASSWORD },
      { kind: 'service', username: 'evil.svc', scopes: ['audit:read'] },
      { kind: 'store_staff', username: 'evil.manager', password: PASSWORD, stores: { S1: 'manager' } },
      { kind: 'rider', username: 'evil.rider', password: PASSWORD, riderId: 'R-evil' },
    ]) {
      expect((await storefront.post('/v1/accounts', body)).status).toBe(403);
    }
    // Nor any other account or key administration.
    const victim = await h.create({
      kind: 'store_staff',
      username: 'vic.manager',
      password: PASSWORD,
      stores: { S1: 'manager' },
    });
    const admin: Array<[string, string, unknown?]> = [
      ['get', '/v1/accounts'],
      ['get', `/v1/accounts/${victim.id}`],
      ['patch', `/v1/accounts/${victim.id}`, { stores: { S1: 'manager', S2: 'manager' } }],
      ['post', `/v1/accounts/${victim.id}/password`, { password: 'a-new-password-123' }],
      ['delete', `/v1/accounts/${victim.id}/totp`],
      ['post', `/v1/accounts/${victim.id}/disable`, {}],
      ['post', `/v1/accounts/${victim.id}/revoke-tokens`, {}],
      ['post', `/v1/accounts/${victim.id}/unlock`, {}],
      ['post', `/v1/accounts/${id}/client-secret`, {}],
      ['get', '/v1/keys'],
      ['post', '/v1/keys/rotate', {}],
    ];
    for (const [method, path, body] of admin) {
      const call = storefront[method as 'post'];
      expect((await call(path, body)).status, `${method} ${path}`).toBe(403);
    }
    expect(await h.svc.context.collections.accounts.countDocuments({})).toBe(before + 1);
    // Every refused attempt is in the audit log, with the client that tried.
    await expect
      .poll(async () => {
        const res = await h
          .api(h.ops)
          .get<{ items: unknown[] }>(`/v1/audit?actor=${id}&action=access.denied&limit=100`);
        return res.body.items.length;
      })
      .toBeGreaterThanOrEqual(4 + admin.length);
  });

  it('makes account administration ops-only with a second factor, and audits it', async () => {
    const { id } = await h.create({
      kind: 'store_staff',
      username: 'mfa.target',
      password: PASSWORD,
      stores: { S1: 'clerk' },
    });
    // An ops token without otp in amr (e.g. minted before MFA) administers nothing.
    const root = await h.svc.context.collections.accounts.findById('acc_root');
    const noMfa = (await signAccessToken(h.svc.context, root!, { amr: ['pwd'] })).token;
    const refused = await h.api(noMfa).post<{ type: string }>(`/v1/accounts/${id}/disable`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('https://omni.dev/problems/mfa-required');
    expect((await h.api(noMfa).post('/v1/keys/rotate', {})).status).toBe(403);
    const customer = {
      kind: 'customer',
      username: 'nomfa.shopper',
      password: PASSWORD,
      customerId: 'cust-nomfa',
    };
    expect((await h.api(noMfa).post('/v1/accounts', customer)).status).toBe(403);
    expect((await h.api(h.ops).post(`/v1/accounts/${id}/disable`, {})).status).toBe(200);
    const audit = await h
      .api(h.ops)
      .get<{ items: Array<{ action: string; target: { id: string } }> }>(`/v1/audit?targetId=${id}`);
    expect(audit.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['account.created', expect.stringMatching(/disabled|status/)]),
    );
  });

  it('gives a new store manager a temporary password and demands TOTP enrolment at first sign-in', async () => {
    const refused = await h.api(h.ops).post('/v1/accounts', {
      kind: 'store_staff',
      username: 'perm.manager',
      password: PASSWORD,
      stores: { S1: 'manager' },
      mustChangePassword: false,
    });
    expect(refused.status).toBe(422);
    expect(await h.svc.context.collections.accounts.countDocuments({ username: 'perm.manager' })).toBe(0);
    await h.create({
      kind: 'store_staff',
      username: 'new.manager',
      password: PASSWORD,
      stores: { S1: 'manager' },
      mustChangePassword: true,
    });
    const first = await h.token({ grant_type: 'password', username: 'new.manager', password: PASSWORD });
    expect(first.body).toMatchObject({ pwd_expired: true, mfa_enrolment_required: true });
  });
});

describe('bootstrap', () => {
  it('creates a first ops account with a temporary password only when no ops account exists', async () => {
    const empty = await startIdentity();
    try {
      // The harness's root ops account exists: nothing happens.
      expect(
        (await bootstrapOps(empty.svc.context, { username: 'first.ops', password: PASSWORD })).created,
      ).toBe(false);
      await empty.svc.context.collections.accounts.deleteMany({ kind: 'ops' });
      expect(
        (await bootstrapOps(empty.svc.context, { username: 'first.ops', password: PASSWORD })).created,
      ).toBe(true);
      const first = await empty.token({ grant_type: 'password', username: 'first.ops', password: PASSWORD });
      expect(first.body).toMatchObject({ pwd_expired: true, mfa_enrolment_required: true });
    } finally {
      await empty.stop();
    }
  });
});

describe('audit', () => {
  it('records every privileged identity action and collects audit entries of every service', async () => {
    const { id } = await h.create({
      kind: 'store_staff',
      username: 'audit.target',
      password: PASSWORD,
      stores: { 'store-q': 'manager' },
    });
    await h.api(h.ops).post(`/v1/accounts/${id}/disable`);
    await h.api(h.ops).post(`/v1/accounts/${id}/enable`);
    await h.api(h.ops).post('/v1/keys/rotate', { activateInSeconds: 0 });
    // Another service's privileged action and a denied attempt there.
    const manager = await h.svc.issueTokenFor('audit.target');
    expect((await probe.api(manager).post('/v1/stores/store-q/adjustments')).status).toBe(201);
    expect((await probe.api(manager).post('/v1/stores/store-other/adjustments')).status).toBe(403);

    const all = async (query: string) =>
      (await h.api(h.ops).get<{ items: AuditItem[]; nextCursor: string | null }>(`/v1/audit/all?${query}`))
        .body;
    const entries = await waitFor(
      async () => {
        const page = await all('limit=200');
        const services = new Set(page.items.map((e) => e.service));
        return (
          page.items.some((e) => e.action === 'access.denied') &&
          services.has('probe') &&
          services.has('identity') &&
          page
        );
      },
      { what: 'audit entries of both services' },
    );
    const actions = entries.items.map((e) => `${e.service}:${e.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'identity:account.created',
        'identity:account.disabled',
        'identity:account.enabled',
        'identity:keys.rotated',
        'probe:stock.adjusted',
        'probe:access.denied',
      ]),
    );
    // Newest first.
    expect([...entries.items.map((e) => e.at)]).toEqual([...entries.items.map((e) => e.at)].sort().reverse());

    const byTarget = await all(`target=${id}&service=identity`);
    expect(byTarget.items.map((e) => e.action).sort()).toEqual([
      'account.created',
      'account.disabled',
      'account.enabled',
    ]);
    expect(byTarget.items.every((e) => e.actor.sub === 'acc_root')).toBe(true);
    const byActorName = await all('actor=audit.target');
    expect(byActorName.items.map((e) => e.action).sort()).toEqual(['access.denied', 'stock.adjusted']);
    expect(
      (await all('action=account.*&service=identity')).items.every((e) => e.action.startsWith('account.')),
    ).toBe(true);
    const future = await all(`from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.items).toEqual([]);

    // Paging walks everything once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p = await all(`limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...p.items.map((e) => e.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await h.svc.context.collections.auditAll.countDocuments({}));

    // Only audit:read may query it.
    const clerkToken = await h.svc.issueTokenFor('audit.target');
    expect((await h.api(clerkToken).get('/v1/audit/all')).status).toBe(403);
  });

  it('stores an entry once even when its event is delivered twice', async () => {
    const before = await h.svc.context.collections.auditAll.countDocuments({});
    const event = {
      specversion: '1.0',
      id: 'evt-dup-1',
      source: '/omni/probe',
      type: 'omni.audit.entry.recorded.v1',
      subject: 'probe',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        entryId: '01JDUPLICATE00000000000000',
        at: new Date().toISOString(),
        service: 'probe',
        actor: { sub: 'x', role: 'ops' },
        action: 'thing.done',
        target: { type: 'thing', id: 't1' },
        outcome: 'success',
      },
    };
    const copy = { ...event, id: 'evt-dup-2' };
    await h.bus.publish('omni.audit', [
      { key: 'probe', value: JSON.stringify(event) },
      { key: 'probe', value: JSON.stringify(event) },
      { key: 'probe', value: JSON.stringify(copy) },
    ]);
    // Wait until identity's consumer has committed all three deliveries.
    await waitFor(async () => {
      const lag = await h.bus.lag();
      return lag.filter((l) => l.group === 'identity' && l.topic === 'omni.audit').every((l) => l.lag === 0);
    });
    expect(await h.svc.context.collections.auditAll.countDocuments({})).toBe(before + 1);
  });
});
