import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import { DEMO_CUSTOMERS, seedCustomers } from '../src';
import { startHarness, type CreatedBody, type CustomerBody, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

describe('demo data', () => {
  it('seeds customers with online and in-store identities and points; re-seeding adds nothing', async () => {
    const created = await seedCustomers(h.svc, DEMO_CUSTOMERS);
    expect(created).toHaveLength(DEMO_CUSTOMERS.length);
    expect(await seedCustomers(h.svc, DEMO_CUSTOMERS)).toEqual([]);
    const ava = await h.ops.get<CustomerBody>('/v1/customers/lookup?kind=email&value=ava.martin@example.com');
    expect(ava.body).toMatchObject({ name: 'Ava Martin', points: 125 });
    const member = await h.ops.get<CustomerBody>('/v1/customers/lookup?kind=member_card&value=MC00010042');
    expect(member.body).toMatchObject({ origin: { channel: 'store', storeId: 'store-london-1' }, points: 40 });
    for (const c of created) expect((await h.svc.reconcilePoints(c.customerId)).consistent).toBe(true);
  });

  it('the demo pair merges when Mia verifies her phone online', async () => {
    const online = await h.ops.get<CustomerBody>('/v1/customers/lookup?kind=email&value=mia.chen@example.com');
    const res = await h.ops.post<CreatedBody>(`/v1/customers/${online.body.id}/identities`, { kind: 'phone', value: '+44 7700 900042', verified: true });
    expect(res.body.result).toBe('merged');
    // The store record is older, so it survives and keeps the online account's points and email.
    expect(res.body.customer).toMatchObject({ name: 'Mia Chen (store)', points: 100 });
    expect(res.body.customer.identities.map((i) => i.kind).sort()).toEqual(['email', 'member_card', 'phone']);
    const metrics = await client(h.svc.url).get('/metrics');
    expect(String(metrics.body)).toMatch(/customers_merges_total\{[^}]*trigger="verified_phone"[^}]*\} 1/);
    expect(String(metrics.body)).toMatch(/customers_created_total\{[^}]*origin="store"[^}]*\} 1/);
  });

  it('serves its OpenAPI document with the secured routes', async () => {
    const spec = await client(h.svc.url).get<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>('/docs/json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/v1/customers', '/v1/customers/lookup', '/v1/customers/{id}', '/v1/customers/merge', '/v1/me', '/v1/stores/{storeId}/members']),
    );
    expect(spec.body.paths['/v1/customers/{id}']?.get?.security).toEqual([{ bearerAuth: [] }]);
  });
});
