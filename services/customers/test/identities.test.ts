import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import { CustomerCreated } from '@omni/contracts';
import { createCustomer, startHarness, type CreatedBody, type CustomerBody, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const count = (name: 'customers' | 'identities') => h.svc.customers.collections[name].countDocuments({});

describe('creating customers with identities', () => {
  it('creates a customer with normalised identities and announces it without personal data', async () => {
    const res = await h.ops.post<CreatedBody>('/v1/customers', {
      name: 'Ann Lee',
      identities: [
        { kind: 'email', value: ' Ann.Lee@Example.COM ', verified: true },
        { kind: 'phone', value: '+44 (0)20-7946 0958'.replace('(0)', ''), verified: false },
      ],
      addresses: [{ lines: ['1 High St'], city: 'London', postalCode: 'N1 1AA', country: 'GB', geo: { lat: 51.54, lng: -0.1 } }],
      consents: { marketingEmail: true },
    });
    expect(res.status).toBe(201);
    const c = res.body.customer;
    expect(res.headers.get('location')).toBe(`/v1/customers/${c.id}`);
    expect(c.identities.map((i) => [i.kind, i.value, i.verified])).toEqual([
      ['email', 'ann.lee@example.com', true],
      ['phone', '+442079460958', false],
    ]);
    expect(c).toMatchObject({ status: 'active', level: 'basic', points: 0, name: 'Ann Lee' });
    expect(c.addresses[0]?.geo).toEqual({ lat: 51.54, lng: -0.1 });
    expect(c.consents.marketingEmail.granted).toBe(true);
    expect(c.consents.marketingSms.granted).toBe(false);

    await h.svc.events.flush();
    const created = await waitForEvent(CustomerCreated.type, c.id);
    expect(created.data).toEqual({ customerId: c.id, identities: [{ kind: 'email', verified: true }, { kind: 'phone', verified: false }] });
    expect(JSON.stringify(created)).not.toContain('ann.lee');
  });

  it('409 when an identity already belongs to another customer, and nothing is written', async () => {
    await createCustomer(h, { identities: [{ kind: 'email', value: 'taken@example.com' }] });
    const [customers, identities] = [await count('customers'), await count('identities')];
    for (const dup of ['taken@example.com', ' TAKEN@example.com']) {
      const res = await h.ops.post('/v1/customers', {
        identities: [
          { kind: 'member_card', value: 'CARD-NEW-1' },
          { kind: 'email', value: dup },
        ],
      });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/identity-taken', kind: 'email' });
    }
    expect(await count('customers')).toBe(customers);
    expect(await count('identities')).toBe(identities);
    expect((await h.ops.get('/v1/customers/lookup?kind=member_card&value=CARDNEW1')).status).toBe(404);
  });

  it('keeps one identity per person under concurrent sign-ups with the same email', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.ops.post('/v1/customers', { name: `racer ${i}`, identities: [{ kind: 'email', value: 'race@example.com' }] }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await h.svc.customers.collections.identities.countDocuments({ _id: 'email:race@example.com' })).toBe(1);
    expect(await h.svc.customers.collections.customers.countDocuments({ name: { $regex: '^racer' } })).toBe(1);
  });

  it('looks a customer up by each kind of identity, in any spelling', async () => {
    const c = await createCustomer(h, {
      identities: [
        { kind: 'email', value: 'lookup@example.com' },
        { kind: 'phone', value: '+33 6 12 34 56 78', verified: true },
        { kind: 'member_card', value: 'mc-7777-0001' },
        { kind: 'messaging', value: 'LINE:Uabc123' },
      ],
    });
    const staff = client(h.svc.url, await h.issuer.staff('store-1', 'clerk'));
    const lookups: Array<[string, string]> = [
      ['email', 'LookUp@Example.com'],
      ['phone', '0033 612 345 678'],
      ['member_card', 'MC 7777 0001'],
      ['messaging', 'line:Uabc123'],
    ];
    for (const [kind, value] of lookups) {
      const res = await staff.get<CustomerBody>(`/v1/customers/lookup?kind=${kind}&value=${encodeURIComponent(value)}`);
      expect(res.status, `${kind} ${value}`).toBe(200);
      expect(res.body.id).toBe(c.id);
    }
    expect((await staff.get('/v1/customers/lookup?kind=messaging&value=line:UABC123')).status).toBe(404);
    const bad = await staff.get('/v1/customers/lookup?kind=phone&value=12ab');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ field: 'querystring/value' }] });
    expect((await staff.get('/v1/customers/lookup?kind=passport&value=x')).status).toBe(400);
  });

  it('lets store staff register walk-in members at their own store only', async () => {
    const body = { memberCard: 'WALK-0001', name: 'Walk In', phone: '+44 7700 900777', phoneVerified: true };
    const otherStore = await client(h.svc.url, await h.issuer.staff('store-2', 'clerk')).post('/v1/stores/store-1/members', body);
    expect(otherStore.status).toBe(403);
    const res = await client(h.svc.url, await h.issuer.staff('store-1', 'clerk')).post<CreatedBody>('/v1/stores/store-1/members', body);
    expect(res.status).toBe(201);
    expect(res.body.customer).toMatchObject({ origin: { channel: 'store', storeId: 'store-1' }, name: 'Walk In' });
    expect(res.body.customer.identities.map((i) => [i.kind, i.value, i.verified])).toEqual([
      ['member_card', 'WALK0001', true],
      ['phone', '+447700900777', true],
    ]);
    // Store staff cannot create through the ops route, customers cannot create at all.
    expect((await client(h.svc.url, await h.issuer.staff('store-1', 'manager')).post('/v1/customers', { identities: [{ kind: 'email', value: 'x@example.com' }] })).status).toBe(403);
  });

  it('a verified identity takes over the same identity held unverified by someone else (audited)', async () => {
    const typo = await createCustomer(h, { identities: [{ kind: 'email', value: 'typo-owner@example.com' }, { kind: 'phone', value: '+44 7700 900555' }] });
    const real = await createCustomer(h, { identities: [{ kind: 'email', value: 'real-owner@example.com' }] });
    const res = await h.ops.post<CreatedBody>(`/v1/customers/${real.id}/identities`, { kind: 'phone', value: '+447700900555', verified: true });
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('taken_over');
    expect(res.body.customer.identities.find((i) => i.kind === 'phone')).toMatchObject({ value: '+447700900555', verified: true });
    const before = await h.ops.get<CustomerBody>(`/v1/customers/${typo.id}`);
    expect(before.body.identities.map((i) => i.kind)).toEqual(['email']);
    const audit = await h.svc.audit.query({ action: 'customer.identity.take-over' }, { limit: 5 });
    expect(audit.items[0]).toMatchObject({ target: { id: real.id }, details: { kind: 'phone', fromCustomerId: typo.id } });
    // An unverified claim never takes a verified one.
    const again = await h.ops.post(`/v1/customers/${typo.id}/identities`, { kind: 'phone', value: '+447700900555' });
    expect(again.status).toBe(409);
  });

  it('verifies an identity the customer already holds', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: 'verify-me@example.com' }] });
    const res = await h.ops.post<CreatedBody>(`/v1/customers/${c.id}/identities`, { kind: 'email', value: 'Verify-Me@example.com', verified: true });
    expect(res.body.result).toBe('verified');
    expect(res.body.customer.identities[0]).toMatchObject({ verified: true });
  });
});

describe('removing identities', () => {
  it('detaches an identity (freed for others, audited) but never the last one', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: 'leaver@example.com' }, { kind: 'member_card', value: 'LOST-CARD-1' }] });
    const res = await h.ops.delete<CustomerBody>(`/v1/customers/${c.id}/identities/member_card/${encodeURIComponent('lost card 1')}`);
    expect(res.status).toBe(200);
    expect(res.body.identities.map((i) => i.kind)).toEqual(['email']);
    expect((await h.ops.get('/v1/customers/lookup?kind=member_card&value=LOSTCARD1')).status).toBe(404);
    await createCustomer(h, { identities: [{ kind: 'member_card', value: 'LOST-CARD-1' }] }); // free again
    expect((await h.ops.delete(`/v1/customers/${c.id}/identities/member_card/LOSTCARD1`)).status).toBe(404);
    const last = await h.ops.delete(`/v1/customers/${c.id}/identities/email/leaver@example.com`);
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ type: 'https://omni.dev/problems/last-identity' });
    const audit = await h.svc.audit.query({ action: 'customer.identity.remove', targetId: c.id }, { limit: 5 });
    expect(audit.items).toHaveLength(1);

    const asCustomer = client(h.svc.url, await h.issuer.customer(c.id));
    await asCustomer.post('/v1/me/identities', { kind: 'messaging', value: 'line:Uleaver' });
    const mine = await asCustomer.delete<CustomerBody>('/v1/me/identities/messaging/line:Uleaver');
    expect(mine.body.identities.map((i) => i.kind)).toEqual(['email']);
  });
});

describe('bad input', () => {
  it('answers problem+json naming every bad field and writes nothing', async () => {
    const [customers, identities] = [await count('customers'), await count('identities')];
    const cases: Array<[unknown, string[]]> = [
      [{ identities: [] }, ['body/identities']],
      [{ identities: [{ kind: 'email', value: 'a@example.com' }], extra: 1 }, ['body/extra']],
      [{ identities: [{ kind: 'fax', value: '1' }] }, ['body/identities/0/kind']],
      [{ identities: Array.from({ length: 9 }, (_, i) => ({ kind: 'email', value: `m${i}@example.com` })) }, ['body/identities']],
      [
        { identities: [{ kind: 'email', value: 'ok@example.com' }], addresses: [{ lines: [], city: 'x', postalCode: '', country: 'gb', geo: { lat: 91, lng: 0 } }] },
        ['body/addresses/0/lines', 'body/addresses/0/country', 'body/addresses/0/geo/lat'],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await h.ops.post('/v1/customers', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const got = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
      expect(got).toEqual(expect.arrayContaining(fields));
    }
    // Values that pass the schema but are not valid identities: every one reported, nothing written.
    const res = await h.ops.post('/v1/customers', {
      identities: [
        { kind: 'email', value: 'not-an-email' },
        { kind: 'phone', value: '12345' },
        { kind: 'member_card', value: 'ok-card-1' },
        { kind: 'member_card', value: 'OK CARD 1' },
      ],
    });
    expect(res.status).toBe(400);
    expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'body/identities/0/value',
      'body/identities/1/value',
      'body/identities/3/value',
    ]);
    const malformed = await h.ops.post('/v1/customers', undefined, { raw: '{"identities": [', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(await count('customers')).toBe(customers);
    expect(await count('identities')).toBe(identities);
  });

  it('404 for unknown ids, 401 without a token', async () => {
    expect((await h.ops.get('/v1/customers/nope')).status).toBe(404);
    expect((await h.ops.post('/v1/customers/nope/identities', { kind: 'email', value: 'n@example.com' })).status).toBe(404);
    expect((await client(h.svc.url).get('/v1/customers/nope')).status).toBe(401);
    expect((await client(h.svc.url).post('/v1/customers', { identities: [{ kind: 'email', value: 'n@example.com' }] })).status).toBe(401);
  });
});

describe('the customer themself', () => {
  it('reads and updates their own profile; customer A cannot read B (403)', async () => {
    const a = await createCustomer(h, { name: 'A', identities: [{ kind: 'email', value: 'me-a@example.com' }] });
    const b = await createCustomer(h, { name: 'B', identities: [{ kind: 'email', value: 'me-b@example.com' }] });
    const asA = client(h.svc.url, await h.issuer.customer(a.id));

    const me = await asA.get<CustomerBody>('/v1/me');
    expect(me.body).toMatchObject({ id: a.id, name: 'A' });
    expect((await asA.get(`/v1/customers/${a.id}`)).status).toBe(200);

    const denied = await asA.get(`/v1/customers/${b.id}`);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect((await asA.get(`/v1/customers/${b.id}/points`)).status).toBe(403);
    expect((await asA.get('/v1/customers/does-not-exist')).status).toBe(403); // no probing for ids
    expect((await asA.get('/v1/customers/lookup?kind=email&value=me-b@example.com')).status).toBe(403);
    expect((await asA.post(`/v1/customers/${b.id}/identities`, { kind: 'email', value: 'evil@example.com' })).status).toBe(403);
    expect((await asA.get(`/v1/customers/${b.id}/export`)).status).toBe(403);

    h.setNow(new Date('2026-01-16T08:00:00.000Z'));
    const patched = await asA.patch<CustomerBody>('/v1/me', { name: 'Alice', consents: { marketingSms: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('Alice');
    expect(patched.body.consents.marketingSms).toEqual({ granted: true, updatedAt: '2026-01-16T08:00:00.000Z' });

    const added = await asA.post<CustomerBody>('/v1/me/addresses', { label: 'home', lines: ['2 Low Rd'], city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB', geo: { lat: 53.8, lng: -1.55 } });
    expect(added.status).toBe(201);
    const addressId = added.body.addresses[0]!.id;
    expect((await asA.delete<CustomerBody>(`/v1/me/addresses/${addressId}`)).body.addresses).toEqual([]);
    expect((await asA.delete(`/v1/me/addresses/${addressId}`)).status).toBe(404);

    // A customer can add identities, never verified ones, and never someone else's.
    const ident = await asA.post<CreatedBody>('/v1/me/identities', { kind: 'phone', value: '+44 7700 900321', verified: true });
    expect(ident.body.customer.identities.find((i) => i.kind === 'phone')).toMatchObject({ verified: false });
    expect((await asA.post('/v1/me/identities', { kind: 'email', value: 'me-b@example.com' })).status).toBe(409);

    const noClaim = client(h.svc.url, await h.issuer.sign({ role: 'customer', sub: 'acct-without-customer' }));
    expect((await noClaim.get('/v1/me')).status).toBe(403);
    expect((await client(h.svc.url, await h.issuer.staff('store-1')).get('/v1/me')).status).toBe(403);
    expect((await asA.patch('/v1/me', {})).status).toBe(400);
  });
});

async function waitForEvent(type: string, subject: string) {
  for (let i = 0; i < 200; i++) {
    const found = h.eventsOf(type, subject)[0];
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${type} for ${subject}`);
}
