import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, waitFor } from '@omni/testing';
import { CustomerMerged, LevelChanged } from '@omni/contracts';
import { createCustomer, drainConsumer, phone, startHarness, waitForAccrual, type CreatedBody, type CustomerBody, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  // Low thresholds so a merge can move a customer up a level.
  h = await startHarness({
    points: {
      levels: [
        { name: 'basic', minLifetimePoints: 0 },
        { name: 'silver', minLifetimePoints: 100 },
        { name: 'gold', minLifetimePoints: 1000 },
      ],
    },
  });
});
afterAll(async () => h?.stop());

async function earn(customerId: string, orderId: string, amountMinor: number) {
  await h.completeOrder({ orderId, customerId, channel: 'store', total: { amountMinor, currency: 'EUR' }, completedAt: h.now().toISOString() });
  await waitForAccrual(h, orderId);
}

describe('automatic merge on a shared verified phone', () => {
  it('merges a walk-in member into the online account: everything moves, the member record becomes a tombstone', async () => {
    // Online account first (older: it survives), then the store member a week later.
    h.setNow(new Date('2026-02-01T10:00:00.000Z'));
    const online = await createCustomer(h, {
      name: 'Mia Chen',
      identities: [{ kind: 'email', value: 'mia@example.com', verified: true }],
      addresses: [{ lines: ['1 High St'], city: 'London', postalCode: 'N1 1AA', country: 'GB' }],
      consents: { marketingEmail: true, marketingSms: true },
    });
    await earn(online.id, 'order-online-1', 60_00); // 60 points
    h.setNow(new Date('2026-02-08T10:00:00.000Z'));
    const staff = client(h.svc.url, await h.issuer.staff('store-9', 'clerk'));
    const walkIn = await staff.post<CreatedBody>('/v1/stores/store-9/members', { memberCard: 'MC-9000-0001', phone: phone(1), phoneVerified: true, consents: { marketingEmail: true } });
    const member = walkIn.body.customer;
    await h.ops.post(`/v1/customers/${member.id}/addresses`, { lines: ['9 Shop Lane'], city: 'London', postalCode: 'E1 1AA', country: 'GB', geo: { lat: 51.51, lng: -0.07 } });
    await earn(member.id, 'order-store-1', 55_00); // 55 points → silver only after the merge (115 ≥ 100)
    expect((await h.ops.get<CustomerBody>(`/v1/customers/${member.id}`)).body).toMatchObject({ points: 55, level: 'basic' });

    // The online customer verifies the same phone (identity service → customers:write).
    h.setNow(new Date('2026-02-09T10:00:00.000Z'));
    const res = await h.ops.post<CreatedBody>(`/v1/customers/${online.id}/identities`, { kind: 'phone', value: phone(1), verified: true });
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('merged');
    const merge = res.body.merges[0]!;
    expect(merge).toMatchObject({ survivorId: online.id, mergedId: member.id, alreadyMerged: false });

    const survivor = res.body.customer;
    expect(survivor.id).toBe(online.id);
    expect(survivor.points).toBe(115);
    expect(survivor.lifetimePoints).toBe(115);
    expect(survivor.level).toBe('silver');
    expect(survivor.identities.map((i) => i.kind).sort()).toEqual(['email', 'member_card', 'phone']);
    expect(survivor.addresses.map((a) => a.city + ' ' + a.lines[0])).toEqual(['London 1 High St', 'London 9 Shop Lane']);
    // Most restrictive consent wins: the member never granted SMS, so the merged person has not.
    expect(survivor.consents.marketingEmail.granted).toBe(true);
    expect(survivor.consents.marketingSms.granted).toBe(false);

    // The member id resolves to the survivor (HTTP and gRPC), lookups by the card find the survivor.
    const viaOld = await h.ops.get<CustomerBody>(`/v1/customers/${member.id}`);
    expect(viaOld.body).toMatchObject({ id: online.id, resolvedFrom: member.id });
    const resolved = await h.grpc.resolve({ customerId: member.id, identityKind: '', identityValue: '' });
    expect(resolved).toMatchObject({ customerId: online.id, resolvedFrom: member.id, points: 115, level: 'silver', erased: false });
    expect((await h.grpc.resolve({ customerId: '', identityKind: 'member_card', identityValue: 'mc 9000 0001' })).customerId).toBe(online.id);
    const tombstone = await h.svc.customers.collections.customers.findById(member.id);
    expect(tombstone).toMatchObject({ status: 'merged', mergedInto: online.id, points: 0, name: '', addresses: [] });

    // Order references moved; the ledgers of both records still add up.
    expect(await h.svc.customers.collections.orders.countDocuments({ customerId: online.id })).toBe(2);
    for (const id of [online.id, member.id]) expect((await h.svc.reconcilePoints(id)).consistent).toBe(true);

    // Announced and audited.
    await h.svc.events.flush();
    await waitFor(() => h.eventsOf(CustomerMerged.type).find((e) => (e.data as { mergedId: string }).mergedId === member.id));
    const merged = h.eventsOf(CustomerMerged.type).find((e) => (e.data as { mergedId: string }).mergedId === member.id)!;
    expect(merged.data).toEqual({ survivorId: online.id, mergedId: member.id, mergeId: merge.mergeId });
    await waitFor(() => h.eventsOf(LevelChanged.type, online.id).length > 0);
    expect(h.eventsOf(LevelChanged.type, online.id)[0]!.data).toEqual({ customerId: online.id, from: 'basic', to: 'silver' });
    const audit = await h.svc.audit.query({ action: 'customer.merge', targetId: online.id }, { limit: 5 });
    expect(audit.items[0]).toMatchObject({ details: { mergeId: merge.mergeId, mergedId: member.id, trigger: 'verified_phone', moved: { points: 55, identities: 2, orders: 1 } } });

    // Points of a later order placed under the old member id go to the survivor.
    await earn(member.id, 'order-store-2', 10_00);
    expect((await h.grpc.resolve({ customerId: online.id, identityKind: '', identityValue: '' })).points).toBe(125);

    // A customer token issued for the merged record now reads the survivor, and only that.
    const asMember = client(h.svc.url, await h.issuer.customer(member.id));
    expect((await asMember.get<CustomerBody>('/v1/me')).body.id).toBe(online.id);
    expect((await asMember.get(`/v1/customers/${online.id}`)).status).toBe(200);
  });

  it('a store sign-up whose verified phone belongs to an existing customer joins that customer at once', async () => {
    const existing = await createCustomer(h, { identities: [{ kind: 'email', value: 'noah@example.com' }, { kind: 'phone', value: phone(2), verified: true }] });
    const staff = client(h.svc.url, await h.issuer.staff('store-9', 'clerk'));
    const res = await staff.post<CreatedBody>('/v1/stores/store-9/members', { memberCard: 'MC-9000-0002', phone: phone(2), phoneVerified: true });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/customers/${existing.id}`);
    expect(res.body.result).toBe('merged');
    expect(res.body.customer.id).toBe(existing.id);
    expect(res.body.customer.identities.map((i) => i.kind).sort()).toEqual(['email', 'member_card', 'phone']);
    // An unverified phone is no proof: 409, and the card is not created.
    const unproven = await staff.post('/v1/stores/store-9/members', { memberCard: 'MC-9000-0003', phone: phone(2) });
    expect(unproven.status).toBe(409);
    expect((await h.ops.get('/v1/customers/lookup?kind=member_card&value=MC90000003')).status).toBe(404);
  });
});

describe('manual merges', () => {
  it('are idempotent: the same merge twice, reversed, or via merged ids is one merge', async () => {
    h.setNow(new Date('2026-03-01T10:00:00.000Z'));
    const a = await createCustomer(h, { identities: [{ kind: 'email', value: 'idem-a@example.com' }] });
    h.setNow(new Date('2026-03-02T10:00:00.000Z'));
    const b = await createCustomer(h, { identities: [{ kind: 'email', value: 'idem-b@example.com' }] });
    await earn(b.id, 'order-idem-b', 20_00);

    const first = await h.ops.post<{ mergeId: string; survivorId: string; mergedId: string; alreadyMerged: boolean }>('/v1/customers/merge', {
      customerIds: [b.id, a.id],
      reason: 'same person, confirmed by phone call',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ survivorId: a.id, mergedId: b.id, alreadyMerged: false });
    for (const ids of [[b.id, a.id], [a.id, b.id]]) {
      const again = await h.ops.post('/v1/customers/merge', { customerIds: ids, reason: 'again' });
      expect(again.body).toEqual({ ...first.body, alreadyMerged: true });
    }
    expect(await h.svc.customers.collections.merges.countDocuments({ mergedId: b.id })).toBe(1);
    expect((await h.ops.get<CustomerBody>(`/v1/customers/${a.id}`)).body.points).toBe(20);

    // Chains stay one hop: merging the survivor into an older record re-points the tombstone.
    h.setNow(new Date('2026-03-03T10:00:00.000Z'));
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: 'idem-c@example.com' }] });
    const explicit = await h.ops.post<{ survivorId: string }>('/v1/customers/merge', { customerIds: [b.id, c.id], survivorId: c.id, reason: 'c is the account they use' });
    expect(explicit.body.survivorId).toBe(c.id);
    expect(await h.svc.customers.collections.customers.findById(b.id)).toMatchObject({ mergedInto: c.id });
    expect((await h.grpc.resolve({ customerId: b.id, identityKind: '', identityValue: '' })).customerId).toBe(c.id);
    expect((await h.grpc.resolve({ customerId: a.id, identityKind: '', identityValue: '' })).points).toBe(20);
  });

  it('A→B and B→A at the same time never make a cycle or lose points', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await createCustomer(h, { identities: [{ kind: 'email', value: `race-a${round}@example.com` }] });
      const b = await createCustomer(h, { identities: [{ kind: 'email', value: `race-b${round}@example.com` }] });
      await earn(a.id, `order-race-a${round}`, 30_00);
      await earn(b.id, `order-race-b${round}`, 12_00);
      const requests = Array.from({ length: 20 }, (_, i) =>
        h.ops.post<{ survivorId: string }>('/v1/customers/merge', {
          customerIds: i % 2 ? [a.id, b.id] : [b.id, a.id],
          survivorId: i % 2 ? a.id : b.id,
          reason: 'race',
        }),
      );
      const results = await Promise.all(requests);
      expect(results.every((r) => r.status === 200)).toBe(true);
      const survivors = new Set(results.map((r) => r.body.survivorId));
      expect(survivors.size).toBe(1);
      const survivorId = [...survivors][0]!;
      const [docA, docB] = await Promise.all([h.svc.customers.collections.customers.findById(a.id), h.svc.customers.collections.customers.findById(b.id)]);
      const statuses = [docA!.status, docB!.status].sort();
      expect(statuses).toEqual(['active', 'merged']);
      const live = docA!.status === 'active' ? docA! : docB!;
      expect(live._id).toBe(survivorId);
      expect(live.points).toBe(42);
      expect(await h.svc.customers.collections.merges.countDocuments({ mergedId: { $in: [a.id, b.id] } })).toBe(1);
      for (const id of [a.id, b.id]) expect((await h.svc.reconcilePoints(id)).consistent).toBe(true);
    }
  });

  it('rejects bad merges with problems and changes nothing', async () => {
    const a = await createCustomer(h, { identities: [{ kind: 'email', value: 'bad-merge-a@example.com' }] });
    const b = await createCustomer(h, { identities: [{ kind: 'email', value: 'bad-merge-b@example.com' }] });
    const other = await createCustomer(h, { identities: [{ kind: 'email', value: 'bad-merge-c@example.com' }] });
    const cases: Array<[unknown, number]> = [
      [{ customerIds: [a.id, a.id], reason: 'x' }, 400],
      [{ customerIds: [a.id], reason: 'x' }, 400],
      [{ customerIds: [a.id, b.id] }, 400],
      [{ customerIds: [a.id, 'missing'], reason: 'x' }, 404],
      [{ customerIds: [a.id, b.id], survivorId: other.id, reason: 'x' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await h.ops.post('/v1/customers/merge', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await h.svc.customers.collections.customers.countDocuments({ _id: { $in: [a.id, b.id] }, status: 'active' })).toBe(2);
    // Only ops (and services granted customers:merge) merge.
    const staff = client(h.svc.url, await h.issuer.staff('store-9', 'manager'));
    expect((await staff.post('/v1/customers/merge', { customerIds: [a.id, b.id], reason: 'x' })).status).toBe(403);
    await drainConsumer(h);
  });
});
