import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReturnAccepted, ReturnRefunded, ReturnRefused } from '@omni/contracts';
import { ADDRESS, api, key, startHarness, type Harness } from './support/harness';

/**
 * After-sales through the public API: return windows per product, staff accepting or refusing
 * return requests, refund decisions for written-off units, earned points taken back with a refund,
 * and after-sales tickets with state and owner, scoped to the order's store.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.customers.add('C5', 'Spent Sam', 0);
});
afterAll(async () => h?.stop());

type Ret = { returnId: string; status: string; decision?: { accepted: boolean; reason?: string } };
type View = {
  id: string;
  status: string;
  returns: Array<
    Ret & { refund?: { amountMinor: number }; writeOff?: { decision: string } }
  >;
};

/** A card order shipped from W1 with the carrier's own tracking number: completed at hand-over. */
async function completedShipOrder(customerId: string, lines = [{ sku: 'TEE', qty: 2 }]): Promise<string> {
  const res = await api(h, await h.issuer.customer(customerId)).post<View>(
    '/v1/orders',
    {
      lines,
      fulfilment: { method: 'ship', address: ADDRESS },
      payment: { method: 'card', cardToken: 'tok_visa' },
    },
    { headers: key() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const shipped = await api(h, await h.issuer.staff('W1')).post<View>(`/v1/orders/${res.body.id}/shipments`, {
    carrier: 'DHL',
    trackingNumber: `T-${res.body.id}`,
  });
  expect(shipped.body.status).toBe('shipped');
  return res.body.id;
}

describe('return windows', () => {
  it("a product's window closes its returns (422 naming the line); others keep the default", async () => {
    const ops = api(h, await h.issuer.ops());
    const set = await ops.put('/v1/return-policies/p-MUG', { windowDays: 0 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ productId: 'p-MUG', windowDays: 0 });
    expect(
      (
        await api(h, await h.issuer.staff('W1', 'manager')).put('/v1/return-policies/p-TEE', {
          windowDays: 5,
        })
      ).status,
    ).toBe(403);
    const listed = await ops.get<{ items: Array<{ productId: string }>; defaultWindowDays: number }>(
      '/v1/return-policies',
    );
    expect(listed.body.items.map((p) => p.productId)).toEqual(['p-MUG']);
    expect(listed.body.defaultWindowDays).toBe(30);

    const id = await completedShipOrder('C1', [
      { sku: 'TEE', qty: 1 },
      { sku: 'MUG', qty: 1 },
    ]);
    const customer = api(h, await h.issuer.customer('C1'));
    const closed = await customer.post(`/v1/orders/${id}/returns`, {
      lines: [
        { sku: 'MUG', qty: 1 },
        { sku: 'TEE', qty: 1 },
      ],
    });
    expect(closed.status).toBe(422);
    expect(closed.body.type).toBe('https://omni.dev/problems/return-window-closed');
    expect((closed.body.lines as Array<{ sku: string }>).map((l) => l.sku)).toEqual(['MUG']);
    // Nothing was recorded; the TEE alone is within the default window.
    expect((await h.order(id)).returns).toHaveLength(0);
    const open = await customer.post(`/v1/orders/${id}/returns`, { lines: [{ sku: 'TEE', qty: 1 }] });
    expect(open.status).toBe(201);
  });
});

describe('return decisions', () => {
  it('staff refuse with a reason (units free again) or accept; other stores see nothing', async () => {
    const id = await completedShipOrder('C1');
    const customer = api(h, await h.issuer.customer('C1'));
    const asked = await customer.post<Ret>(`/v1/orders/${id}/returns`, { lines: [{ sku: 'TEE', qty: 2 }] });
    const url = `/v1/orders/${id}/returns/${asked.body.returnId}/decision`;
    const manager = api(h, await h.issuer.staff('W1', 'manager'));

    expect((await manager.post(url, { accept: false })).status).toBe(400);
    expect((await api(h, await h.issuer.staff('W1', 'clerk')).post(url, { accept: true })).status).toBe(403);
    expect((await api(h, await h.issuer.staff('S2', 'manager')).post(url, { accept: true })).status).toBe(
      404,
    );
    expect((await customer.post(url, { accept: true })).status).toBe(404);

    const refused = await manager.post<Ret>(url, { accept: false, reason: 'worn, tags removed' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      status: 'refused',
      decision: { accepted: false, reason: 'worn, tags removed' },
    });
    const [event] = await h.events.waitFor(ReturnRefused, id);
    expect(event!.data).toMatchObject({ returnId: asked.body.returnId, reason: 'worn, tags removed' });
    expect((await manager.post(url, { accept: true })).status).toBe(409);
    // a refused return cannot be received
    expect(
      (
        await manager.post(`/v1/orders/${id}/returns/${asked.body.returnId}/receive`, {
          locationId: 'W1',
          lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }],
        })
      ).status,
    ).toBe(409);

    // the units may be asked for again; this time accepted, then received and refunded
    const again = await customer.post<Ret>(`/v1/orders/${id}/returns`, { lines: [{ sku: 'TEE', qty: 1 }] });
    expect(again.status).toBe(201);
    const accepted = await manager.post<Ret>(`/v1/orders/${id}/returns/${again.body.returnId}/decision`, {
      accept: true,
    });
    expect(accepted.body.status).toBe('accepted');
    await h.events.waitFor(ReturnAccepted, id);
    const got = await manager.post<View>(`/v1/orders/${id}/returns/${again.body.returnId}/receive`, {
      locationId: 'W1',
      lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }],
    });
    expect(got.status).toBe(200);
    expect(got.body.returns.find((r) => r.returnId === again.body.returnId)).toMatchObject({
      status: 'refunded',
      refund: { amountMinor: 1999 },
    });
  });

  it('written-off units are refunded only by decision: "no refund" pays just the restocked units', async () => {
    const id = await completedShipOrder('C1');
    const ops = api(h, await h.issuer.ops());
    const asked = await ops.post<Ret>(`/v1/orders/${id}/returns`, { lines: [{ sku: 'TEE', qty: 2 }] });
    const base = `/v1/orders/${id}/returns/${asked.body.returnId}`;
    expect((await ops.post(`${base}/write-off-decision`, { refund: false, reason: 'x' })).status).toBe(409);
    await ops.post(`${base}/receive`, {
      locationId: 'W1',
      lines: [
        { sku: 'TEE', qty: 1, disposition: 'restock' },
        { sku: 'TEE', qty: 1, disposition: 'write_off' },
      ],
    });
    expect(h.payments.authorization(`${id}:auth`)).toMatchObject({ refunded: 0 });
    const decided = await ops.post<View>(`${base}/write-off-decision`, {
      refund: false,
      reason: 'damaged by the customer',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.returns[0]).toMatchObject({
      status: 'refunded',
      refund: { amountMinor: 1999 },
      writeOff: { decision: 'no_refund' },
    });
    const [refunded] = await h.events.waitFor(ReturnRefunded, id);
    expect(refunded!.data.refund).toEqual({ amountMinor: 1999, currency: 'EUR' });
    expect(h.payments.authorization(`${id}:auth`)).toMatchObject({ refunded: 1999 });
    expect(
      (await ops.post(`${base}/write-off-decision`, { refund: true, reason: 'changed my mind' })).status,
    ).toBe(409);
  });
});

describe('exchanges', () => {
  type Exchange = {
    return: Ret & {
      orderId: string;
      exchange: { replacementOrderId: string; credit: { amountMinor: number } };
    };
    replacement: {
      id: string;
      status: string;
      amountDue: { amountMinor: number };
      total: { amountMinor: number };
    };
  };
  const card = { method: 'card', cardToken: 'tok_visa' };

  it('a cheaper replacement costs nothing and the difference is refunded when the goods come back', async () => {
    const id = await completedShipOrder('C1');
    const customer = api(h, await h.issuer.customer('C1'));
    const body = {
      returnLines: [{ sku: 'TEE', qty: 1, reason: 'wrong colour' }],
      replacementLines: [{ sku: 'CAP', qty: 1 }],
      payment: card,
    };
    const headers = key('x');
    const ex = await customer.post<Exchange>(`/v1/orders/${id}/exchanges`, body, { headers });
    expect(ex.status, JSON.stringify(ex.body)).toBe(201);
    expect(ex.body.replacement).toMatchObject({
      status: 'confirmed',
      total: { amountMinor: 1299 },
      amountDue: { amountMinor: 0 },
    });
    expect(ex.body.return).toMatchObject({
      orderId: id,
      status: 'accepted',
      exchange: { replacementOrderId: ex.body.replacement.id, credit: { amountMinor: 1299 } },
    });
    await h.events.waitFor(ReturnAccepted, id);
    // the same request again: the same return and replacement, nothing doubled
    const again = await customer.post<Exchange>(`/v1/orders/${id}/exchanges`, body, { headers });
    expect(again.body.replacement.id).toBe(ex.body.replacement.id);
    expect((await h.order(id)).returns).toHaveLength(1);
    // another customer cannot exchange this order
    expect(
      (
        await api(h, await h.issuer.customer('C2')).post(`/v1/orders/${id}/exchanges`, body, {
          headers: key('x'),
        })
      ).status,
    ).toBe(404);

    const got = await api(h, await h.issuer.ops()).post<View>(
      `/v1/orders/${id}/returns/${ex.body.return.returnId}/receive`,
      {
        locationId: 'W1',
        lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }],
      },
    );
    expect(got.body.returns[0]).toMatchObject({ status: 'refunded', refund: { amountMinor: 1999 - 1299 } });
    expect(h.payments.authorization(`${id}:auth`)).toMatchObject({ refunded: 700 });
  });

  it('a dearer replacement is charged only the difference; the return then refunds nothing', async () => {
    const id = await completedShipOrder('C1');
    const ex = await api(h, await h.issuer.ops()).post<Exchange>(
      `/v1/orders/${id}/exchanges`,
      { returnLines: [{ sku: 'TEE', qty: 1 }], replacementLines: [{ sku: 'MUG', qty: 3 }], payment: card },
      { headers: key('x') },
    );
    expect(ex.status, JSON.stringify(ex.body)).toBe(201);
    expect(ex.body.replacement).toMatchObject({
      total: { amountMinor: 2697 },
      amountDue: { amountMinor: 2697 - 1999 },
    });
    expect(h.payments.authorization(`${ex.body.replacement.id}:auth`)?.amount).toEqual({
      amountMinor: 698,
      currency: 'EUR',
    });
    expect((await h.order(ex.body.replacement.id)).customerId).toBe('C1');
    const got = await api(h, await h.issuer.ops()).post<View>(
      `/v1/orders/${id}/returns/${ex.body.return.returnId}/receive`,
      {
        locationId: 'W1',
        lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }],
      },
    );
    expect(got.body.returns[0]).toMatchObject({ status: 'refunded', refund: { amountMinor: 0 } });
  });

  it('an exchange of more than is returnable places nothing', async () => {
    const id = await completedShipOrder('C1');
    const before = await h.store.collection('orders').countDocuments({});
    const res = await api(h, await h.issuer.customer('C1')).post(
      `/v1/orders/${id}/exchanges`,
      { returnLines: [{ sku: 'TEE', qty: 3 }], replacementLines: [{ sku: 'CAP', qty: 1 }], payment: card },
      { headers: key('x') },
    );
    expect(res.status).toBe(422);
    expect(await h.store.collection('orders').countDocuments({})).toBe(before);
  });
});

describe('after-sales tickets', () => {
  type Ticket = { ticketId: string; status: string; owner?: { sub: string }; notes: Array<{ text: string }> };

  it('the customer opens one; the store manager takes and resolves it; other stores see nothing', async () => {
    const id = await completedShipOrder('C1');
    const customer = api(h, await h.issuer.customer('C1'));
    const opened = await customer.post<Ticket>(`/v1/orders/${id}/tickets`, {
      kind: 'damaged',
      subject: 'The T-shirt arrived torn',
      note: 'photo attached by mail',
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: 'open', orderId: id, locationId: 'W1', kind: 'damaged' });
    const t = opened.body.ticketId;
    expect(
      (
        await api(h, await h.issuer.customer('C2')).post(`/v1/orders/${id}/tickets`, {
          kind: 'other',
          subject: 'x',
        })
      ).status,
    ).toBe(404);
    expect((await api(h, await h.issuer.customer('C2')).get(`/v1/tickets/${t}`)).status).toBe(404);
    expect((await api(h, await h.issuer.staff('S1', 'manager')).get(`/v1/tickets/${t}`)).status).toBe(404);

    const clerk = api(h, await h.issuer.staff('W1', 'clerk'));
    expect((await clerk.get(`/v1/tickets/${t}`)).status).toBe(200);
    expect((await clerk.post(`/v1/tickets/${t}/assign`, {})).status).toBe(403);
    const manager = api(h, await h.issuer.staff('W1', 'manager', 'mgr-w1'));
    const taken = await manager.post<Ticket>(`/v1/tickets/${t}/assign`, {});
    expect(taken.body.owner).toMatchObject({ sub: 'mgr-w1' });
    expect((await manager.post(`/v1/tickets/${t}/status`, { status: 'bogus' })).status).toBe(400);
    await manager.post(`/v1/tickets/${t}/status`, { status: 'in_progress' });
    await customer.post(`/v1/tickets/${t}/notes`, { text: 'any news?' });
    const resolved = await manager.post<Ticket>(`/v1/tickets/${t}/status`, {
      status: 'resolved',
      note: 'replacement sent',
    });
    expect(resolved.body.status).toBe('resolved');
    expect(resolved.body.notes.map((n) => n.text)).toEqual([
      'photo attached by mail',
      'any news?',
      'replacement sent',
    ]);
    await manager.post(`/v1/tickets/${t}/status`, { status: 'closed' });
    const reopen = await manager.post(`/v1/tickets/${t}/status`, { status: 'in_progress' });
    expect(reopen.status).toBe(409);
    expect((await customer.post(`/v1/tickets/${t}/notes`, { text: 'late' })).status).toBe(409);

    // lists: the customer's own; W1 staff see W1's; S1 staff do not; ops filter by status
    const mine = await customer.get<{ items: Ticket[] }>('/v1/tickets');
    expect(mine.body.items.map((x) => x.ticketId)).toContain(t);
    expect((await clerk.get<{ items: Ticket[] }>('/v1/tickets')).body.items.map((x) => x.ticketId)).toContain(
      t,
    );
    expect(
      (await api(h, await h.issuer.staff('S1')).get<{ items: Ticket[] }>('/v1/tickets')).body.items.map(
        (x) => x.ticketId,
      ),
    ).not.toContain(t);
    const closedOnes = await api(h, await h.issuer.ops()).get<{ items: Ticket[] }>(
      '/v1/tickets?status=closed&limit=1',
    );
    expect(closedOnes.body.items.map((x) => x.ticketId)).toEqual([t]);
    const audit = await api(h, await h.issuer.ops()).get<{ items: Array<{ action: string }> }>(
      `/v1/audit?targetId=${t}`,
    );
    expect(audit.body.items.map((a) => a.action).sort()).toEqual(
      ['ticket.assign', 'ticket.closed', 'ticket.in_progress', 'ticket.resolved'].sort(),
    );
  });
});
