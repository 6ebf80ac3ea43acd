import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@omni/kit';
import { client } from '@omni/testing';
import type { MemberNotifier } from '../src';
import { startHarness, type Harness } from './helpers';

// Issue 13 item 4: proof that a member is at the counter before staff spend their points.

const sent: Array<{ customerId: string; code: string }> = [];
const notifier: MemberNotifier = {
  sendPresenceCode: async ({ customerId, code }) => void sent.push({ customerId, code }),
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ memberNotifier: notifier });
});
afterAll(async () => h?.stop());

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function walkIn(card: string): Promise<string> {
  const staff = client(h.svc.url, await h.issuer.staff('S01', 'clerk'));
  const res = await staff.post<{ customer: { id: string } }>('/v1/stores/S01/members', { memberCard: card });
  expect(res.status).toBe(201);
  return res.body.customer.id;
}

const base = { memberCard: '', codeId: '', code: '', actorSub: 'clerk-S01', storeId: 'S01', orderId: 'ord-1' };

describe('member presence at a counter', () => {
  it('the member card proves the member; another member’s card does not (422, same problem)', async () => {
    const ada = await walkIn('MC-7000-0001');
    await walkIn('MC-7000-0002');
    expect(await h.grpc.verifyPresence({ ...base, customerId: ada, memberCard: 'MC-7000-0001' })).toEqual({
      customerId: ada,
      method: 'member_card',
    });
    for (const memberCard of ['MC-7000-0002', 'MC-0000-0000']) {
      const err = await failure(h.grpc.verifyPresence({ ...base, customerId: ada, memberCard }));
      expect(err.status).toBe(422);
      expect(err.slug).toBe('member-presence-unproven');
    }
    expect((await failure(h.grpc.verifyPresence({ ...base, customerId: ada }))).slug).toBe('member-presence-unproven');
    const audit = await h.svc.audit.query({ action: 'customers.presence.verified', targetId: ada }, { limit: 5 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ details: { method: 'member_card', staff: 'clerk-S01', orderId: 'ord-1' } });
  });

  it('a one-time code reaches the member only, works once, and burns after 3 wrong tries', async () => {
    const grace = await walkIn('MC-7000-0003');
    const clerk = client(h.svc.url, await h.issuer.staff('S01', 'clerk'));
    const issue = async () => {
      const res = await clerk.post<{ codeId: string; expiresAt: string }>(
        `/v1/stores/S01/members/${grace}/presence-codes`,
      );
      expect(res.status).toBe(201);
      expect(JSON.stringify(res.body)).not.toContain(sent.at(-1)!.code);
      return { codeId: res.body.codeId, code: sent.at(-1)!.code };
    };
    const first = await issue();
    expect(sent.at(-1)!.customerId).toBe(grace);
    const ok = { ...base, customerId: grace, ...first };
    expect(await h.grpc.verifyPresence(ok)).toMatchObject({ method: 'one_time_code' });
    expect((await failure(h.grpc.verifyPresence(ok))).slug).toBe('member-presence-unproven');

    const second = await issue();
    const wrong = second.code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 3; i++)
      expect((await failure(h.grpc.verifyPresence({ ...ok, codeId: second.codeId, code: wrong }))).status).toBe(422);
    expect((await failure(h.grpc.verifyPresence({ ...ok, ...second }))).status).toBe(422);

    // Expired after 5 minutes.
    const third = await issue();
    h.setNow(new Date(h.now().getTime() + 5 * 60_000 + 1));
    expect((await failure(h.grpc.verifyPresence({ ...ok, ...third }))).status).toBe(422);
  });

  it('codes: unknown customer → 404, another store’s staff → 403, customers cannot ask', async () => {
    const clerk = client(h.svc.url, await h.issuer.staff('S01', 'clerk'));
    expect((await clerk.post('/v1/stores/S01/members/no-such-customer/presence-codes')).status).toBe(404);
    const someone = await walkIn('MC-7000-0004');
    const other = client(h.svc.url, await h.issuer.staff('S02', 'clerk'));
    expect((await other.post(`/v1/stores/S01/members/${someone}/presence-codes`)).status).toBe(403);
    const customer = client(h.svc.url, await h.issuer.customer(someone));
    expect((await customer.post(`/v1/stores/S01/members/${someone}/presence-codes`)).status).toBe(403);
  });
});
