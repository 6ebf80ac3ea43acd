import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CustomerMerged,
  OrderCancelled,
  OrderCompleted,
  PickupTaskReady,
  ReturnReceived,
  ReturnRefunded,
  ReturnRequested,
} from '@omni/contracts';
import { waitFor } from '@omni/testing';
import { ADDRESS, api, key, publish, startHarness, waitForOrder, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.customers.add('C3', 'Online Olga', 0).add('C4', 'Walk-in Olga', 200);
});
afterAll(async () => h?.stop());

type View = {
  id: string;
  status: string;
  customerId?: string;
  payment: { status: string };
  fulfilment: { locationId: string };
  returns: Array<{ returnId: string; status: string }>;
};

async function place(customerId: string, body: Record<string, unknown>): Promise<string> {
  const res = await api(h, await h.issuer.customer(customerId)).post<View>('/v1/orders', body, {
    headers: key(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const pickup = (storeId: string, extra: Record<string, unknown> = {}) => ({
  lines: [{ sku: 'MUG', qty: 1 }],
  fulfilment: { method: 'pickup', storeId },
  payment: { method: 'card', cardToken: 'tok_visa' },
  ...extra,
});

describe('cancellation', () => {
  it('the customer cancels before picking: stock released, hold voided, points back', async () => {
    const before = h.customers.points('C1');
    const id = await place('C1', pickup('S1', { pointsToRedeem: 100 }));
    expect(h.customers.points('C1')).toBe(before - 100);
    const res = await api(h, await h.issuer.customer('C1')).post<View>(`/v1/orders/${id}/cancel`, {
      reason: 'changed my mind',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', payment: { status: 'voided' } });
    expect(h.customers.points('C1')).toBe(before);
    expect(h.inventory.reservations.get(`${id}-r0`)?.status).toBe('released');
    const [ev] = await h.events.waitFor(OrderCancelled, id);
    expect(ev!.data).toMatchObject({
      reason: 'changed my mind',
      refund: { amountMinor: 799 },
      locationId: 'S1',
    });
    // no body at all is fine for a command without required fields
    const again = await api(h, await h.issuer.customer('C1')).post(`/v1/orders/${id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('after the store marked it ready only ops may cancel (audited); other customers see nothing', async () => {
    const id = await place('C1', pickup('S2'));
    await publish(h.bus, PickupTaskReady, id, {
      taskId: 't',
      orderId: id,
      storeId: 'S2',
      reservationId: `${id}-r0`,
      holdUntil: new Date().toISOString(),
    });
    await waitForOrder(h, id, (o) => o.status === 'ready_for_pickup');
    const byCustomer = await api(h, await h.issuer.customer('C1')).post<{ detail: string }>(
      `/v1/orders/${id}/cancel`,
      {},
    );
    expect(byCustomer.status).toBe(409);
    expect(byCustomer.body.detail).toContain('before picking started');
    expect((await api(h, await h.issuer.customer('C2')).post(`/v1/orders/${id}/cancel`, {})).status).toBe(
      404,
    );
    expect((await api(h, await h.issuer.staff('S2')).post(`/v1/orders/${id}/cancel`, {})).status).toBe(403);
    // Staff of another store: the order does not exist for them (404, not 403).
    expect((await api(h, await h.issuer.staff('S1')).post(`/v1/orders/${id}/cancel`, {})).status).toBe(404);
    const byOps = await api(h, await h.issuer.ops('ops-7')).post<View>(`/v1/orders/${id}/cancel`, {
      reason: 'fraud check',
    });
    expect(byOps.status).toBe(200);
    expect(byOps.body.status).toBe('cancelled');
    const audit = await api(h, await h.issuer.ops()).get<{
      items: Array<{ action: string; actor: { sub: string } }>;
    }>(`/v1/audit?targetId=${id}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'order.cancel', actor: expect.objectContaining({ sub: 'ops-7' }) }),
    ]);
  });
});

describe('shipping and returns', () => {
  it('ship → return request → receive at a store (restock / write-off) → refund → returned', async () => {
    const id = await place('C1', {
      lines: [{ sku: 'TEE', qty: 2 }],
      fulfilment: { method: 'ship', address: ADDRESS },
      payment: { method: 'card', cardToken: 'tok_visa' },
    });
    // S1 staff do not see a W1 order at all.
    expect((await api(h, await h.issuer.staff('S1')).post(`/v1/orders/${id}/shipments`, {})).status).toBe(
      404,
    );
    const shipped = await api(h, await h.issuer.staff('W1')).post<View>(`/v1/orders/${id}/shipments`, {
      carrier: 'DHL',
      trackingNumber: '00340',
    });
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', payment: { status: 'captured' } });
    await h.events.waitFor(OrderCompleted, id);
    expect(h.inventory.reservations.get(`${id}-r0`)?.status).toBe('committed');

    const customer = api(h, await h.issuer.customer('C1'));
    const tooMany = await customer.post(`/v1/orders/${id}/returns`, { lines: [{ sku: 'TEE', qty: 3 }] });
    expect(tooMany.status).toBe(422);
    const req = await customer.post<{ returnId: string; status: string }>(`/v1/orders/${id}/returns`, {
      lines: [{ sku: 'TEE', qty: 1, reason: 'too small' }],
    });
    expect(req.status).toBe(201);
    expect(req.body.status).toBe('requested');
    await h.events.waitFor(ReturnRequested, id);

    const receive = { locationId: 'S1', lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }] };
    expect(
      (
        await api(h, await h.issuer.staff('S1', 'clerk')).post(
          `/v1/orders/${id}/returns/${req.body.returnId}/receive`,
          receive,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await api(h, await h.issuer.staff('S2', 'manager')).post(
          `/v1/orders/${id}/returns/${req.body.returnId}/receive`,
          receive,
        )
      ).status,
    ).toBe(403);
    const got = await api(h, await h.issuer.staff('S1', 'manager')).post<View>(
      `/v1/orders/${id}/returns/${req.body.returnId}/receive`,
      receive,
    );
    expect(got.status).toBe(200);
    expect(got.body.returns[0]).toMatchObject({ status: 'refunded' });
    const [received] = await h.events.waitFor(ReturnReceived, id);
    expect(received!.data).toMatchObject({
      locationId: 'S1',
      lines: [{ sku: 'TEE', qty: 1, disposition: 'restock' }],
      refund: { amountMinor: 1999 },
    });
    const [refunded] = await h.events.waitFor(ReturnRefunded, id);
    expect(refunded!.data.refund).toEqual({ amountMinor: 1999, currency: 'EUR' });
    expect((await h.order(id)).payment).toMatchObject({
      status: 'partially_refunded',
      refunded: { amountMinor: 1999 },
    });
    const dup = await api(h, await h.issuer.staff('S1', 'manager')).post(
      `/v1/orders/${id}/returns/${req.body.returnId}/receive`,
      receive,
    );
    expect(dup.status).toBe(409);

    // the second unit comes back damaged: written off — not refunded until staff decide — then
    // refunded by decision, and the order is fully returned
    const req2 = await api(h, await h.issuer.ops()).post<{ returnId: string }>(`/v1/orders/${id}/returns`, {
      lines: [{ sku: 'TEE', qty: 1 }],
    });
    const got2 = await api(h, await h.issuer.ops()).post<View & { returns: Array<{ writeOff?: unknown }> }>(
      `/v1/orders/${id}/returns/${req2.body.returnId}/receive`,
      {
        locationId: 'W1',
        lines: [{ sku: 'TEE', qty: 1, disposition: 'write_off' }],
      },
    );
    expect(got2.status).toBe(200);
    expect(got2.body.status).toBe('shipped');
    expect(got2.body.returns[1]).toMatchObject({
      status: 'received',
      refund: { amountMinor: 0 },
      writeOff: { decision: 'pending', value: { amountMinor: 1999 }, lines: [{ sku: 'TEE', qty: 1 }] },
    });
    expect(h.payments.authorization(`${id}:auth`)).toMatchObject({ refunded: 1999 });
    const decided = await api(h, await h.issuer.ops()).post<View>(
      `/v1/orders/${id}/returns/${req2.body.returnId}/write-off-decision`,
      { refund: true, reason: 'damaged in transit, our fault' },
    );
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('returned');
    expect((await h.order(id)).payment).toMatchObject({
      status: 'refunded',
      refunded: { amountMinor: 3998 },
    });
    expect(h.payments.authorization(`${id}:auth`)).toMatchObject({ refunded: 3998 });
  });
});

describe('history and search', () => {
  it('a merged customer sees both histories (and the old id keeps working)', async () => {
    const online = await place('C3', pickup('S1'));
    const walkIn = await place('C4', pickup('S3'));
    const mine = async (customerId: string) =>
      (await api(h, await h.issuer.customer(customerId)).get<{ items: View[] }>('/v1/orders')).body.items
        .map((o) => o.id)
        .sort();
    expect(await mine('C3')).toEqual([online]);
    h.customers.merge('C4', 'C3');
    await publish(h.bus, CustomerMerged, 'C3', { survivorId: 'C3', mergedId: 'C4', mergeId: 'm-1' });
    await waitFor(async () => (await h.order(walkIn)).customerId === 'C3' || undefined);
    expect(await mine('C3')).toEqual([online, walkIn].sort());
    expect(await mine('C4')).toEqual([online, walkIn].sort());
    const view = await api(h, await h.issuer.customer('C3')).get<View>(`/v1/orders/${walkIn}`);
    expect(view.status).toBe(200);
    // a later placement with the old id lands on the survivor (customers resolves merges)
    const after = await place('C4', pickup('S1'));
    expect((await h.order(after)).customerId).toBe('C3');
    // the merge event again changes nothing
    await publish(h.bus, CustomerMerged, 'C3', { survivorId: 'C3', mergedId: 'C4', mergeId: 'm-1' });
    expect((await mine('C3')).length).toBe(3);
  });

  it('store staff search their own store only; ops filter by status, date and customer; cursor pagination', async () => {
    const s2orders = [await place('C2', pickup('S2')), await place('C2', pickup('S2'))];
    const staff = api(h, await h.issuer.staff('S2'));
    const list = await staff.get<{ items: View[] }>('/v1/orders?limit=200');
    expect(list.status).toBe(200);
    expect(list.body.items.every((o) => o.fulfilment.locationId === 'S2')).toBe(true);
    expect(list.body.items.map((o) => o.id)).toEqual(expect.arrayContaining(s2orders));
    expect((await staff.get('/v1/orders?storeId=S1')).status).toBe(403);
    const s1order = await place('C2', pickup('S1'));
    expect((await staff.get(`/v1/orders/${s1order}`)).status).toBe(404);
    // A store's POS client (a service bound to S2) lists and reads S2 orders only.
    const posS2 = api(
      h,
      await h.issuer.sign({
        role: 'service',
        sub: 'svc-pos-S2',
        scope: 'orders:read',
        stores: { S2: 'clerk' },
      }),
    );
    const posList = await posS2.get<{ items: View[] }>('/v1/orders?limit=200');
    expect(posList.body.items.map((o) => o.fulfilment.locationId)).not.toContain('S1');
    expect(posList.body.items.map((o) => o.id)).toEqual(expect.arrayContaining(s2orders));
    expect((await posS2.get(`/v1/orders/${s1order}`)).status).toBe(404);
    expect((await posS2.get('/v1/orders?storeId=S1')).status).toBe(403);

    const ops = api(h, await h.issuer.ops());
    const cancelled = await ops.get<{ items: View[] }>('/v1/orders?status=cancelled&limit=200');
    expect(cancelled.body.items.length).toBeGreaterThanOrEqual(2);
    expect(cancelled.body.items.every((o) => o.status === 'cancelled')).toBe(true);
    const future = await ops.get<{ items: View[] }>(
      `/v1/orders?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body.items).toEqual([]);
    const byCustomer = await ops.get<{ items: View[] }>('/v1/orders?customerId=C2&limit=200');
    expect(byCustomer.body.items.every((o) => o.customerId === 'C2')).toBe(true);
    expect((await ops.get('/v1/orders?status=lost')).status).toBe(400);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: View[]; nextCursor: string | null } } = await ops.get(
        `/v1/orders?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...page.body.items.map((o) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await h.store.collection('orders').countDocuments({}));
    expect((await ops.get('/v1/orders?cursor=garbage')).status).toBe(400);
  });
});
