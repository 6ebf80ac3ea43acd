import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@omni/kit';
import { client, waitFor } from '@omni/testing';
import { LevelChanged, PointsChanged } from '@omni/contracts';
import { createCustomer, drainConsumer, startHarness, waitForAccrual, type CustomerBody, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    points: {
      pointsPerMajorUnit: 1,
      validityDays: 30,
      levels: [
        { name: 'basic', minLifetimePoints: 0 },
        { name: 'silver', minLifetimePoints: 500 },
        { name: 'gold', minLifetimePoints: 2000 },
      ],
    },
  });
});
afterAll(async () => h?.stop());

const noIdentity = { identityKind: '', identityValue: '' };
const balance = async (id: string) => (await h.grpc.resolve({ customerId: id, ...noIdentity })).points;

async function grpcError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function customerWithPoints(email: string, amountMinor: number, orderId = `seed-${email}`): Promise<string> {
  const c = await createCustomer(h, { identities: [{ kind: 'email', value: email }] });
  await h.completeOrder({ orderId, customerId: c.id, channel: 'online', total: { amountMinor, currency: 'EUR' }, completedAt: h.now().toISOString() });
  await waitForAccrual(h, orderId);
  return c.id;
}

describe('accrual from OrderCompleted', () => {
  it('counts an order once, whether the event is redelivered or re-sent with a new id', async () => {
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: 'accrual@example.com' }] });
    const data = { orderId: 'order-acc-1', customerId: c.id, channel: 'store' as const, total: { amountMinor: 123_45, currency: 'EUR' }, completedAt: h.now().toISOString() };
    const event = await h.completeOrder(data);
    await h.republish(event); // same event id: the inbox drops it
    await h.completeOrder(data); // same order, new event id: the ledger key drops it
    await waitForAccrual(h, 'order-acc-1');
    await drainConsumer(h);
    expect(await balance(c.id)).toBe(123);
    expect(await h.svc.customers.collections.ledger.countDocuments({ orderId: 'order-acc-1' })).toBe(1);

    // Yen has no minor unit: 5000 JPY = 5000 points; guests and unknown customers are skipped, never retried.
    await h.completeOrder({ orderId: 'order-acc-jpy', customerId: c.id, channel: 'online', total: { amountMinor: 5000, currency: 'JPY' }, completedAt: h.now().toISOString() });
    await h.completeOrder({ orderId: 'order-guest', channel: 'store', total: { amountMinor: 999_00, currency: 'EUR' }, completedAt: h.now().toISOString() });
    await h.completeOrder({ orderId: 'order-ghost', customerId: 'no-such-customer', channel: 'store', total: { amountMinor: 10_00, currency: 'EUR' }, completedAt: h.now().toISOString() });
    await waitForAccrual(h, 'order-acc-jpy');
    await drainConsumer(h);
    expect(await balance(c.id)).toBe(5123);
    expect(await h.svc.customers.collections.ledger.countDocuments({ orderId: { $in: ['order-guest', 'order-ghost'] } })).toBe(0);
    expect(await h.svc.customers.collections.orders.findById('order-acc-1')).toMatchObject({ customerId: c.id, channel: 'store', pointsEarned: 123 });

    await h.svc.events.flush();
    await waitFor(() => h.eventsOf(PointsChanged.type, c.id).length >= 2);
    expect(h.eventsOf(PointsChanged.type, c.id).map((e) => e.data)).toEqual([
      { customerId: c.id, delta: 123, balance: 123, reason: 'accrual', orderId: 'order-acc-1' },
      { customerId: c.id, delta: 5000, balance: 5123, reason: 'accrual', orderId: 'order-acc-jpy' },
    ]);
    expect((await h.svc.reconcilePoints(c.id)).consistent).toBe(true);
  });

  it('applies completions interleaved with other customers and redeliveries in any order', async () => {
    const ids = await Promise.all([0, 1, 2].map((i) => createCustomer(h, { identities: [{ kind: 'email', value: `mix${i}@example.com` }] }).then((c) => c.id)));
    const sent = [];
    for (let n = 0; n < 30; n++) {
      const customerId = ids[n % 3]!;
      sent.push(await h.completeOrder({ orderId: `mix-${n}`, customerId, channel: n % 2 ? 'store' : 'online', total: { amountMinor: 10_00, currency: 'EUR' }, completedAt: h.now().toISOString() }));
    }
    // Redeliver everything in reverse order.
    for (const e of sent.reverse()) await h.republish(e);
    await waitFor(async () => (await h.svc.customers.collections.ledger.countDocuments({ orderId: { $regex: '^mix-' } })) === 30, { what: '30 accruals' });
    await drainConsumer(h);
    for (const id of ids) expect(await balance(id)).toBe(100);
  });
});

describe('redeeming and refunding (gRPC)', () => {
  it('spends points idempotently by operation id; more than the balance is FAILED_PRECONDITION and changes nothing', async () => {
    const id = await customerWithPoints('redeem@example.com', 300_00);
    const op = { customerId: id, points: 120, orderId: 'order-r-1', operationId: 'op-r-1' };
    expect(await h.grpc.redeemPoints(op)).toEqual({ customerId: id, points: 180 });
    expect(await h.grpc.redeemPoints(op)).toEqual({ customerId: id, points: 180 });
    const reused = await grpcError(h.grpc.redeemPoints({ ...op, points: 5 }));
    expect(reused.status).toBe(409);

    const ledgerBefore = await h.svc.customers.collections.ledger.countDocuments({ customerId: id });
    const tooMuch = await grpcError(h.grpc.redeemPoints({ customerId: id, points: 181, orderId: 'order-r-2', operationId: 'op-r-2' }));
    expect(tooMuch.status).toBe(422); // FAILED_PRECONDITION on the wire, mapped back by the kit client
    expect(tooMuch.slug).toBe('insufficient-points');
    expect(tooMuch.extensions).toMatchObject({ available: 180, requested: 181 });
    expect(await balance(id)).toBe(180);
    expect(await h.svc.customers.collections.ledger.countDocuments({ customerId: id })).toBe(ledgerBefore);
    expect(await h.svc.customers.collections.orders.findById('order-r-2')).toBeNull();

    // Refunds: at most what was redeemed for that order.
    expect(await h.grpc.refundPoints({ customerId: id, points: 100, orderId: 'order-r-1', operationId: 'op-rf-1' })).toEqual({ customerId: id, points: 280 });
    expect(await h.grpc.refundPoints({ customerId: id, points: 100, orderId: 'order-r-1', operationId: 'op-rf-1' })).toEqual({ customerId: id, points: 280 });
    const over = await grpcError(h.grpc.refundPoints({ customerId: id, points: 21, orderId: 'order-r-1', operationId: 'op-rf-2' }));
    expect(over.slug).toBe('refund-exceeds-redeemed');
    const unknownOrder = await grpcError(h.grpc.refundPoints({ customerId: id, points: 1, orderId: 'order-never', operationId: 'op-rf-3' }));
    expect(unknownOrder.status).toBe(422);
    expect(await balance(id)).toBe(280);
    expect((await h.svc.reconcilePoints(id)).consistent).toBe(true);
  });

  it('rejects bad requests and callers without permission', async () => {
    const id = await customerWithPoints('redeem-bad@example.com', 10_00);
    const bad = await grpcError(h.grpc.redeemPoints({ customerId: id, points: 0, orderId: '', operationId: '' }));
    expect(bad.status).toBe(400);
    expect((bad.extensions.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(['points', 'orderId', 'operationId']);
    expect((await grpcError(h.grpc.redeemPoints({ customerId: 'ghost', points: 1, orderId: 'o', operationId: 'op-ghost' }))).status).toBe(404);
    expect((await grpcError(h.grpc.resolve({ customerId: '', ...noIdentity }))).status).toBe(400);
    expect((await grpcError(h.grpc.resolve({ customerId: '', identityKind: 'passport', identityValue: 'x' }))).status).toBe(400);
    expect((await grpcError(h.grpc.resolve({ customerId: 'ghost', ...noIdentity }))).status).toBe(404);

    const { createGrpcClient } = await import('@omni/kit');
    const { customers: pb } = await import('@omni/proto');
    const readOnlyToken = await h.issuer.service('pickup', 'customers:read');
    const readOnly = createGrpcClient(pb.CustomersServiceService, h.svc.grpcAddress, { token: () => readOnlyToken });
    try {
      expect((await readOnly.resolve({ customerId: id, ...noIdentity })).customerId).toBe(id);
      expect((await grpcError(readOnly.redeemPoints({ customerId: id, points: 1, orderId: 'o', operationId: 'op-denied' }))).status).toBe(403);
    } finally {
      readOnly.close();
    }
    expect(await balance(id)).toBe(10);
  });

  it('100 parallel redemptions never overdraw', async () => {
    const id = await customerWithPoints('parallel@example.com', 1000_00); // 1000 points
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => h.grpc.redeemPoints({ customerId: id, points: 13, orderId: `order-p-${i}`, operationId: `op-p-${i}` })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(Math.floor(1000 / 13)); // 76
    expect(failed.every((r) => (r.reason as AppError).slug === 'insufficient-points')).toBe(true);
    expect(await balance(id)).toBe(1000 - 76 * 13);
    const rec = await h.ops.get(`/v1/customers/${id}/points/reconciliation`);
    expect(rec.body).toEqual({ customerId: id, balance: 12, ledgerSum: 12, lotsSum: 12, consistent: true });
  });
});

describe('expiry and levels', () => {
  it('expires lots first-in-first-out after the validity period, and never spends expired points', async () => {
    h.setNow(new Date('2026-04-01T00:00:00.000Z'));
    const c = await createCustomer(h, { identities: [{ kind: 'email', value: 'expiry@example.com' }] });
    const earnAt = async (orderId: string, amountMinor: number, at: string) => {
      await h.completeOrder({ orderId, customerId: c.id, channel: 'online', total: { amountMinor, currency: 'EUR' }, completedAt: at });
      await waitForAccrual(h, orderId);
    };
    await earnAt('exp-1', 100_00, '2026-04-01T00:00:00.000Z'); // expires 05-01
    await earnAt('exp-2', 50_00, '2026-04-10T00:00:00.000Z'); // expires 05-10
    // Spend 120: FIFO takes all 100 of exp-1 and 20 of exp-2.
    await h.grpc.redeemPoints({ customerId: c.id, points: 120, orderId: 'exp-spend', operationId: 'op-exp-spend' });

    // The sweep covers every customer (earlier tests' lots expire too), so look at this one's balance.
    await h.svc.expireDue(new Date('2026-04-30T23:59:59.000Z'));
    expect(await balance(c.id)).toBe(30);
    await h.svc.expireDue(new Date('2026-05-01T00:00:00.000Z'));
    expect(await balance(c.id)).toBe(30); // exp-1 was spent, nothing of it is left to expire
    // The sweep is late: a redemption after 05-10 must not spend the 30 expired points.
    h.setNow(new Date('2026-05-11T00:00:00.000Z'));
    const late = await grpcError(h.grpc.redeemPoints({ customerId: c.id, points: 1, orderId: 'exp-late', operationId: 'op-exp-late' }));
    expect(late.slug).toBe('insufficient-points');
    const run = await h.svc.expireDue(new Date('2026-05-11T00:00:00.000Z'));
    expect(run).toMatchObject({ customers: 1, points: 30, failed: 0 }); // the redemption's own expiry rolled back with it
    expect(await balance(c.id)).toBe(0);
    expect(await h.svc.expireDue(new Date('2026-06-01T00:00:00.000Z'))).toMatchObject({ points: 0 });

    const ledger = await h.svc.customers.collections.ledger.find({ customerId: c.id }, { sort: { at: 1, _id: 1 } });
    expect(ledger.map((e) => [e.kind, e.delta])).toEqual([
      ['accrual', 100],
      ['accrual', 50],
      ['redemption', -120],
      ['expiry', -30],
    ]);
    expect((await h.svc.reconcilePoints(c.id)).consistent).toBe(true);
    await h.svc.events.flush();
    await waitFor(() => h.eventsOf(PointsChanged.type, c.id).some((e) => (e.data as { reason: string }).reason === 'expiry'));
  });

  it('raises the level with lifetime points (spending and expiry do not lower it)', async () => {
    h.setNow(new Date('2026-07-01T00:00:00.000Z'));
    const id = await customerWithPoints('level@example.com', 499_00, 'lvl-1');
    expect((await h.grpc.resolve({ customerId: id, ...noIdentity })).level).toBe('basic');
    await h.completeOrder({ orderId: 'lvl-2', customerId: id, channel: 'store', total: { amountMinor: 1_00, currency: 'EUR' }, completedAt: h.now().toISOString() });
    await waitForAccrual(h, 'lvl-2');
    expect((await h.grpc.resolve({ customerId: id, ...noIdentity })).level).toBe('silver');
    await h.grpc.redeemPoints({ customerId: id, points: 500, orderId: 'lvl-spend', operationId: 'op-lvl-spend' });
    await h.completeOrder({ orderId: 'lvl-3', customerId: id, channel: 'online', total: { amountMinor: 1600_00, currency: 'EUR' }, completedAt: h.now().toISOString() });
    await waitForAccrual(h, 'lvl-3');
    const after = await h.grpc.resolve({ customerId: id, ...noIdentity });
    expect(after).toMatchObject({ level: 'gold', points: 1600 });
    await h.svc.events.flush();
    await waitFor(() => h.eventsOf(LevelChanged.type, id).length === 2);
    expect(h.eventsOf(LevelChanged.type, id).map((e) => e.data)).toEqual([
      { customerId: id, from: 'basic', to: 'silver' },
      { customerId: id, from: 'silver', to: 'gold' },
    ]);
  });
});

describe('points over HTTP', () => {
  it('shows balance, next expiry and the ledger to the customer; ops adjust (audited, idempotent)', async () => {
    h.setNow(new Date('2026-08-01T00:00:00.000Z'));
    const id = await customerWithPoints('points-http@example.com', 40_00, 'http-1');
    const asCustomer = client(h.svc.url, await h.issuer.customer(id));
    const mine = await asCustomer.get<{ points: number; nextExpiry: { points: number; expiresAt: string }; ledger: { items: Array<{ kind: string; delta: number }> } }>('/v1/me/points');
    expect(mine.body).toMatchObject({ points: 40, nextExpiry: { points: 40, expiresAt: '2026-08-31T00:00:00.000Z' } });
    expect(mine.body.ledger.items.map((e) => [e.kind, e.delta])).toEqual([['accrual', 40]]);

    const adj = { delta: 15, note: 'late delivery goodwill', operationId: 'adj-1' };
    expect((await h.ops.post(`/v1/customers/${id}/points/adjustments`, adj)).body).toEqual({ customerId: id, points: 55 });
    expect((await h.ops.post(`/v1/customers/${id}/points/adjustments`, adj)).body).toEqual({ customerId: id, points: 55 });
    const overdraw = await h.ops.post(`/v1/customers/${id}/points/adjustments`, { delta: -56, note: 'x', operationId: 'adj-2' });
    expect(overdraw.status).toBe(422);
    expect((await h.ops.post(`/v1/customers/${id}/points/adjustments`, { delta: 0, note: 'x', operationId: 'adj-3' })).status).toBe(400);
    expect((await asCustomer.post(`/v1/customers/${id}/points/adjustments`, { delta: 1000, note: 'me', operationId: 'adj-4' })).status).toBe(403);
    expect((await h.ops.get<CustomerBody>(`/v1/customers/${id}`)).body.points).toBe(55);
    const audit = await h.svc.audit.query({ action: 'customer.points.adjust', targetId: id }, { limit: 5 });
    expect(audit.items).toHaveLength(1);

    // Pagination of the ledger.
    const page1 = await h.ops.get<{ ledger: { items: unknown[]; nextCursor: string | null } }>(`/v1/customers/${id}/points?limit=1`);
    expect(page1.body.ledger.items).toHaveLength(1);
    const page2 = await h.ops.get<{ ledger: { items: unknown[]; nextCursor: string | null } }>(`/v1/customers/${id}/points?limit=1&cursor=${page1.body.ledger.nextCursor}`);
    expect(page2.body.ledger.items).toHaveLength(1);
    expect(page2.body.ledger.items).not.toEqual(page1.body.ledger.items);
  });
});
