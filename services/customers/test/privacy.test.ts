import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@omni/kit';
import { client, waitFor } from '@omni/testing';
import { CustomerErased } from '@omni/contracts';
import { createCustomer, phone, startHarness, waitForAccrual, type CustomerBody, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** A person with two merged records, points, an order, addresses and consents. */
async function person(tag: string) {
  const online = await createCustomer(h, {
    name: `Erin ${tag}`,
    identities: [{ kind: 'email', value: `erin-${tag}@example.com`, verified: true }],
    addresses: [{ lines: ['5 Erase St'], city: 'Bristol', postalCode: 'BS1 1AA', country: 'GB', geo: { lat: 51.45, lng: -2.59 } }],
    consents: { marketingEmail: true },
  });
  await h.completeOrder({ orderId: `order-${tag}`, customerId: online.id, channel: 'online', total: { amountMinor: 80_00, currency: 'GBP' }, completedAt: h.now().toISOString() });
  await waitForAccrual(h, `order-${tag}`);
  const member = await createCustomer(h, { identities: [{ kind: 'member_card', value: `CARD${tag}` }, { kind: 'phone', value: phone(Number(tag)), verified: true }] });
  await h.ops.post(`/v1/customers/${online.id}/identities`, { kind: 'phone', value: phone(Number(tag)), verified: true });
  return { online, member };
}

describe('export', () => {
  it('gives ops (and the customer) everything held about the person, as JSON; audited', async () => {
    const { online, member } = await person('101');
    const res = await h.ops.get<{
      customer: CustomerBody;
      mergedRecords: string[];
      merges: Array<{ survivorId: string; mergedId: string }>;
      pointsLedger: Array<{ kind: string; delta: number; customerId: string }>;
      pointsLots: Array<{ remaining: number }>;
      orders: Array<{ orderId: string; pointsEarned: number }>;
    }>(`/v1/customers/${member.id}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const x = res.body;
    expect(x.customer).toMatchObject({ id: online.id, name: 'Erin 101', points: 80 });
    expect(x.customer.identities.map((i) => i.kind).sort()).toEqual(['email', 'member_card', 'phone']);
    expect(x.customer.addresses[0]?.geo).toEqual({ lat: 51.45, lng: -2.59 });
    expect(x.mergedRecords).toEqual([member.id]);
    expect(x.merges).toMatchObject([{ survivorId: online.id, mergedId: member.id }]);
    expect(x.pointsLedger.map((e) => [e.customerId, e.kind, e.delta])).toEqual([[online.id, 'accrual', 80]]);
    expect(x.pointsLots.map((l) => l.remaining)).toEqual([80]);
    expect(x.orders).toMatchObject([{ orderId: 'order-101', pointsEarned: 80 }]);
    const audit = await h.svc.audit.query({ action: 'customer.export', targetId: online.id }, { limit: 5 });
    expect(audit.items[0]).toMatchObject({ actor: { role: 'ops' } });

    const mine = await client(h.svc.url, await h.issuer.customer(online.id)).get<{ customer: CustomerBody }>('/v1/me/export');
    expect(mine.body.customer.id).toBe(online.id);
    expect((await client(h.svc.url, await h.issuer.staff('store-1', 'manager')).get(`/v1/customers/${online.id}/export`)).status).toBe(403);
    expect((await h.ops.get('/v1/customers/missing/export')).status).toBe(404);
  });
});

describe('erasure', () => {
  it('removes personal data, frees identities, keeps an anonymised record; idempotent, announced, audited', async () => {
    const { online, member } = await person('202');
    const staff = client(h.svc.url, await h.issuer.staff('store-1', 'manager'));
    expect((await staff.post(`/v1/customers/${online.id}/erase`, {})).status).toBe(403);

    const res = await h.ops.post(`/v1/customers/${member.id}/erase`, { reason: 'customer request #4711' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ customerId: online.id, erased: true, identitiesFreed: 3 });

    const after = await h.ops.get<CustomerBody>(`/v1/customers/${online.id}`);
    expect(after.body).toMatchObject({ id: online.id, status: 'erased', name: '', identities: [], addresses: [], points: 0 });
    expect(after.body.consents.marketingEmail.granted).toBe(false);
    const stored = JSON.stringify(await h.svc.customers.collections.customers.find({ _id: { $in: [online.id, member.id] } }));
    for (const personal of ['Erin', 'erin-202', 'Erase St', 'CARD202']) expect(stored).not.toContain(personal);

    // Identities are free again.
    expect((await h.ops.get('/v1/customers/lookup?kind=email&value=erin-202@example.com')).status).toBe(404);
    const reuse = await createCustomer(h, { identities: [{ kind: 'email', value: 'erin-202@example.com' }] });
    expect(reuse.id).not.toBe(online.id);

    // Order history stays (anonymised id), the forfeited balance is in the ledger, gRPC says erased.
    expect(await h.svc.customers.collections.orders.findById('order-202')).toMatchObject({ customerId: online.id });
    expect((await h.svc.reconcilePoints(online.id)).consistent).toBe(true);
    const resolved = await h.grpc.resolve({ customerId: member.id, identityKind: '', identityValue: '' });
    expect(resolved).toMatchObject({ customerId: online.id, erased: true, name: '', points: 0, addresses: [] });

    // Erased customers earn and spend nothing; merges into them are refused.
    await h.completeOrder({ orderId: 'order-after-erase', customerId: online.id, channel: 'store', total: { amountMinor: 50_00, currency: 'GBP' }, completedAt: h.now().toISOString() });
    await waitFor(async () => (await h.bus.lag()).filter((l) => l.group === 'customers').every((l) => l.lag === 0));
    expect(await h.svc.customers.collections.ledger.findById('accrual:order-after-erase')).toBeNull();
    const redeem = await h.grpc.redeemPoints({ customerId: online.id, points: 1, orderId: 'x', operationId: 'op-erased' }).catch((e: AppError) => e);
    expect((redeem as AppError).status).toBe(422);
    expect((await h.ops.post('/v1/customers/merge', { customerIds: [online.id, reuse.id], reason: 'x' })).status).toBe(409);
    expect((await h.ops.patch(`/v1/customers/${online.id}`, { name: 'Back' })).status).toBe(409);

    // Twice = once.
    const again = await h.ops.post(`/v1/customers/${online.id}/erase`, {});
    expect(again.body).toEqual({ customerId: online.id, erased: false, identitiesFreed: 0 });
    await h.svc.events.flush();
    await waitFor(() => h.eventsOf(CustomerErased.type).length >= 2);
    expect(h.eventsOf(CustomerErased.type).map((e) => e.subject).sort()).toEqual([online.id, member.id].sort());
    const audit = await h.svc.audit.query({ action: 'customer.erase', targetId: online.id }, { limit: 5 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ details: { identitiesFreed: 3, pointsForfeited: 80, mergedRecords: 1, reason: 'customer request #4711' } });
    expect(JSON.stringify(audit.items)).not.toContain('erin-202');
  });

  it('erase without a body, and 404 for unknown ids', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: 'nobody@example.com' }] });
    const res = await h.ops.post(`/v1/customers/${c.id}/erase`);
    expect(res.status).toBe(200);
    expect((await h.ops.post('/v1/customers/ghost/erase', {})).status).toBe(404);
  });
});

describe('listing', () => {
  it('pages through customers with a cursor and filters by status', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: CustomerBody[]; nextCursor: string | null } } = await h.ops.get(`/v1/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      all.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(await h.svc.customers.collections.customers.countDocuments({}));
    const erased = await h.ops.get<{ items: CustomerBody[] }>('/v1/customers?status=erased&limit=50');
    expect(erased.body.items.every((c) => c.status === 'erased')).toBe(true);
    expect((await h.ops.get('/v1/customers?limit=0')).status).toBe(400);
    // The kit's one answer to a forged cursor, the same in every service.
    expect(await h.ops.get('/v1/customers?cursor=garbage')).toMatchObject({
      status: 400,
      body: { type: 'https://omni.dev/problems/invalid-cursor', errors: [{ field: 'querystring/cursor' }] },
    });
  });
});
