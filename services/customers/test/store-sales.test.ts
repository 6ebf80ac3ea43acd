import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, toBusMessage, type CloudEvent, type EventData } from '@omni/events';
import { ReturnRefunded, StorePurchaseRecorded, StoreSaleRecorded } from '@omni/contracts';
import { client, waitFor } from '@omni/testing';
import { createCustomer, drainConsumer, startHarness, uniq, waitForAccrual, type Harness } from './helpers';

/**
 * Members at the till (issue 16 item 4): inventory's StoreSaleRecorded credits the member's points and
 * joins their purchases; till returns and online refunds take points back; redelivery and a member
 * nobody holds change nothing twice and lose nothing.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ points: { pointsPerMajorUnit: 1 } });
});
afterAll(async () => h?.stop());

async function publish(event: CloudEvent): Promise<void> {
  const def = event.type === StoreSaleRecorded.type ? StoreSaleRecorded : ReturnRefunded;
  await h.bus.publish(def.topic, [toBusMessage(event)]);
}

function tillEvent(data: EventData<typeof StoreSaleRecorded>): CloudEvent {
  return createEvent(StoreSaleRecorded, { subject: data.storeId, data, source: '/omni/inventory' }) as CloudEvent;
}

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

async function pointsOf(id: string): Promise<{ points: number; ledger: Array<{ kind: string; delta: number; orderId?: string; note?: string }> }> {
  const res = await h.ops.get<{ points: number; ledger: { items: Array<{ kind: string; delta: number; orderId?: string; note?: string }> } }>(
    `/v1/customers/${id}/points`,
  );
  expect(res.status).toBe(200);
  return { points: res.body.points, ledger: res.body.ledger.items };
}

async function handled(saleId: string): Promise<void> {
  await waitFor(() => h.svc.customers.collections.storeSales.findById(saleId).then((d) => d !== null), { what: `till sale ${saleId}` });
}

describe('till sales naming a member', () => {
  it('credits a card scan once, whatever the redelivery, and shows the purchase in the ledger and the history', async () => {
    const card = `CARD${uniq().toUpperCase()}`;
    const c = await createCustomer(h, { identities: [{ kind: 'member_card', value: card }] });
    const sale = tillEvent({
      saleId: 'S01:op-sale-1',
      storeId: 'S01',
      clientOpId: 'op-sale-1',
      kind: 'sale',
      member: { card: card.toLowerCase().replace(/(.{4})/, '$1 ') },
      lines: [
        { sku: 'TEE-M', qty: 2, unitPrice: eur(19_99) },
        { sku: 'CAP', qty: 1, unitPrice: eur(10_02) },
      ],
      total: eur(50_00),
      occurredAt: h.now().toISOString(),
    });
    await publish(sale);
    await publish(sale); // same event id
    await publish(tillEvent(sale.data as EventData<typeof StoreSaleRecorded>)); // same sale, new event id
    await handled('S01:op-sale-1');
    await drainConsumer(h);

    const after = await pointsOf(c.id);
    expect(after.points).toBe(50);
    const accruals = after.ledger.filter((e) => e.kind === 'accrual');
    expect(accruals).toHaveLength(1);
    expect(accruals[0]).toMatchObject({ delta: 50, orderId: 'store:S01:op-sale-1', note: 'store sale at S01' });
    const history = await h.svc.customers.collections.orders.find({ customerId: c.id });
    expect(history.map((o) => [o._id, o.channel, o.pointsEarned])).toEqual([['store:S01:op-sale-1', 'store', 50]]);
    const published = h.eventsOf(StorePurchaseRecorded.type, c.id);
    expect(published).toHaveLength(1);
    expect(published[0]!.data).toMatchObject({ customerId: c.id, kind: 'sale', points: 50, lines: [{ sku: 'TEE-M', qty: 2 }, { sku: 'CAP', qty: 1 }] });
  });

  it('finds the member by phone, and a till return naming the sale takes back at most what it earned', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'phone', value: '+44 7700 900111' }] });
    await publish(
      tillEvent({ saleId: 'S02:s-1', storeId: 'S02', clientOpId: 's-1', kind: 'sale', member: { phone: '+447700900111' }, lines: [{ sku: 'A', qty: 3, unitPrice: eur(10_00) }], total: eur(30_00), occurredAt: h.now().toISOString() }),
    );
    // Two partial returns of that sale (the second claims more than is left) and one redelivered.
    const r1 = tillEvent({ saleId: 'S02:r-1', storeId: 'S02', clientOpId: 'r-1', kind: 'return', member: { phone: '+44 7700 900111' }, lines: [{ sku: 'A', qty: 2, unitPrice: eur(10_00) }], total: eur(20_00), returnOf: 's-1', occurredAt: h.now().toISOString() });
    const r2 = tillEvent({ saleId: 'S02:r-2', storeId: 'S02', clientOpId: 'r-2', kind: 'return', member: { phone: '+44 7700 900111' }, lines: [{ sku: 'A', qty: 2, unitPrice: eur(10_00) }], total: eur(20_00), returnOf: 's-1', occurredAt: h.now().toISOString() });
    await publish(r1);
    await publish(r1);
    await publish(r2);
    await handled('S02:r-2');
    await drainConsumer(h);

    const after = await pointsOf(c.id);
    expect(after.points).toBe(0);
    expect(after.ledger.filter((e) => e.kind === 'reversal').map((e) => e.delta).sort()).toEqual([-10, -20]);
    const ref = await h.svc.customers.collections.orders.findById('store:S02:s-1');
    expect(ref?.pointsReversed).toBe(30);
    const recon = await h.ops.get<{ consistent: boolean }>(`/v1/customers/${c.id}/points/reconciliation`);
    expect(recon.body.consistent).toBe(true);
  });

  it('keeps a sale naming nobody as unknown-member, and moves no points', async () => {
    await publish(
      tillEvent({ saleId: 'S01:ghost', storeId: 'S01', clientOpId: 'ghost', kind: 'sale', member: { card: 'NOSUCHCARD1' }, lines: [{ sku: 'A', qty: 1, unitPrice: eur(5_00) }], total: eur(5_00), occurredAt: h.now().toISOString() }),
    );
    // Not a card number at all: also flagged, never a poison message.
    await publish(
      tillEvent({ saleId: 'S01:bad', storeId: 'S01', clientOpId: 'bad', kind: 'sale', member: { card: '!!' }, lines: [{ sku: 'A', qty: 1 }], occurredAt: h.now().toISOString() }),
    );
    await handled('S01:bad');
    const ghost = await h.svc.customers.collections.storeSales.findById('S01:ghost');
    expect(ghost).toMatchObject({ status: 'unknown-member', points: 0, member: { card: 'NOSUCHCARD1' } });
    expect((await h.svc.customers.collections.storeSales.findById('S01:bad'))?.status).toBe('unknown-member');
    expect(await h.svc.customers.collections.ledger.countDocuments({ orderId: 'store:S01:ghost' })).toBe(0);

    // Ops find the flagged sales (with what the till typed) to match them by hand.
    const flagged = await h.ops.get<{ items: Array<{ saleId: string; status: string; member?: { card?: string } }>; nextCursor: string | null }>(
      '/v1/ops/store-sales?status=unknown-member&limit=1',
    );
    expect(flagged.status).toBe(200);
    expect(flagged.body.items).toHaveLength(1);
    const next = await h.ops.get<{ items: Array<{ saleId: string; status: string; member?: { card?: string } }> }>(
      `/v1/ops/store-sales?status=unknown-member&limit=10&cursor=${encodeURIComponent(flagged.body.nextCursor!)}`,
    );
    const all = [...flagged.body.items, ...next.body.items];
    expect(all.map((s) => s.saleId).sort()).toEqual(['S01:bad', 'S01:ghost']);
    expect(all.find((s) => s.saleId === 'S01:ghost')).toMatchObject({ status: 'unknown-member', member: { card: 'NOSUCHCARD1' } });
    const clerk = client(h.svc.url, await h.issuer.staff('S01', 'clerk'));
    expect((await clerk.get('/v1/ops/store-sales')).status).toBe(403);
    expect((await h.ops.get('/v1/ops/store-sales?cursor=forged')).status).toBe(400);
  });
});

describe('online returns', () => {
  it('take back the points the order earned on the refunded amount, once, also when the refund arrives first', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: `ret-${uniq()}@example.com` }] });
    await h.completeOrder({ orderId: 'ord-ret-1', customerId: c.id, channel: 'online', total: eur(80_00), completedAt: h.now().toISOString() });
    await waitForAccrual(h, 'ord-ret-1');
    const refunded = createEvent(ReturnRefunded, { subject: 'ret-1', source: '/omni/orders', data: { returnId: 'ret-1', orderId: 'ord-ret-1', lines: [{ sku: 'A', qty: 1 }], refund: eur(30_00) } }) as CloudEvent;
    await publish(refunded);
    await publish(refunded);
    await publish(createEvent(ReturnRefunded, { subject: 'ret-1', source: '/omni/orders', data: refunded.data as EventData<typeof ReturnRefunded> }) as CloudEvent);
    await waitFor(() => h.svc.customers.collections.reversals.findById('return:ret-1').then((r) => r?.status === 'applied'), { what: 'reversal' });
    await drainConsumer(h);
    expect((await pointsOf(c.id)).points).toBe(50);

    // Refund first, completion later (different topics): applied when the accrual lands.
    await publish(createEvent(ReturnRefunded, { subject: 'ret-2', source: '/omni/orders', data: { returnId: 'ret-2', orderId: 'ord-ret-2', lines: [{ sku: 'A', qty: 1 }], refund: eur(100_00) } }) as CloudEvent);
    await waitFor(() => h.svc.customers.collections.reversals.findById('return:ret-2').then((r) => r?.status === 'pending'), { what: 'pending reversal' });
    await h.completeOrder({ orderId: 'ord-ret-2', customerId: c.id, channel: 'online', total: eur(40_00), completedAt: h.now().toISOString() });
    await waitFor(() => h.svc.customers.collections.reversals.findById('return:ret-2').then((r) => r?.status === 'applied'), { what: 'late reversal' });
    // 40 earned, refund worth 100 points: only the 40 the order earned come back.
    expect((await pointsOf(c.id)).points).toBe(50);
  });

  it('never take back more than the order earned when many returns of it are refunded at once', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: `many-${uniq()}@example.com` }] });
    await h.completeOrder({ orderId: 'ord-many', customerId: c.id, channel: 'online', total: eur(80_00), completedAt: h.now().toISOString() });
    await h.completeOrder({ orderId: 'ord-other', customerId: c.id, channel: 'online', total: eur(500_00), completedAt: h.now().toISOString() });
    await waitForAccrual(h, 'ord-many');
    await waitForAccrual(h, 'ord-other');
    // Ten returns (keys spread over partitions), each worth 30 points: 80 in all may come back.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        publish(createEvent(ReturnRefunded, { subject: `many-${i}`, source: '/omni/orders', data: { returnId: `many-${i}`, orderId: 'ord-many', lines: [{ sku: 'A', qty: 1 }], refund: eur(30_00) } }) as CloudEvent),
      ),
    );
    await waitFor(() => h.svc.customers.collections.reversals.countDocuments({ orderId: 'ord-many', status: 'applied' }).then((n) => n === 10), { what: 'ten reversals' });
    expect((await h.svc.customers.collections.orders.findById('ord-many'))?.pointsReversed).toBe(80);
    expect((await pointsOf(c.id)).points).toBe(500);
    expect((await h.ops.get<{ consistent: boolean }>(`/v1/customers/${c.id}/points/reconciliation`)).body.consistent).toBe(true);
  });
});
