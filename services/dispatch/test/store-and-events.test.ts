import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@omni/testing';
import {
  DeliveryJobCreated,
  OrderCancelled,
  OrderConfirmed,
  OrderRerouted,
  StoreRejected,
} from '@omni/contracts';
import { CENTER, Harness, MIN, at } from './harness';

let h: Harness;
afterEach(async () => h?.stop());

const S1 = { storeId: 'S1', geo: CENTER };
const S2 = { storeId: 'S2', geo: at(3, 0) };

function confirmation(orderId: string, storeId: string, routeAttempt: number) {
  return {
    orderId,
    channel: 'online' as const,
    fulfilment: { method: 'delivery' as const, locationId: storeId, geo: at(0, 2) },
    reservationId: `res-${orderId}`,
    lines: [],
    total: { amountMinor: 100, currency: 'EUR' },
    payment: { method: 'card' as const, amountDue: { amountMinor: 0, currency: 'EUR' } },
    routeAttempt,
  };
}

async function setup(settings: Parameters<typeof Harness.start>[0] = {}) {
  h = await Harness.start(settings);
  await h.zone('Z1', CENTER, [S1, S2]);
}

describe('the store as fulfiller', () => {
  it('a rejection emits StoreRejected so orders re-routes', async () => {
    await setup();
    const { orderId, jobId } = await h.confirmedOrder({ storeId: 'S1', destination: at(0, 2) });
    const store = await h.store('S1');
    const list = await store.get<{ items: Array<{ id: string; status: string }> }>(
      '/v1/stores/S1/delivery-jobs?status=awaiting_store',
    );
    expect(list.body.items.map((j) => j.id)).toContain(jobId);
    const res = await store.post(`/v1/stores/S1/delivery-jobs/${jobId}/reject`, {
      reason: 'out of stock after all',
    });
    expect(res.body).toMatchObject({ status: 'store_rejected' });
    const [event] = await h.waitForEvent(StoreRejected, orderId);
    expect(event!.data).toEqual({
      jobId,
      orderId,
      storeId: 'S1',
      reason: 'out of stock after all',
      timedOut: false,
    });
    expect((await store.post(`/v1/stores/S1/delivery-jobs/${jobId}/confirm`)).status).toBe(409);
  });

  it('not confirming in time counts as a rejection (timedOut)', async () => {
    await setup({ storeConfirmTimeoutMs: 3 * MIN });
    const { orderId, jobId } = await h.confirmedOrder({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.svc.dispatch.expireStoreConfirmations(h.advance(3 * MIN - 1))).toBe(0);
    expect((await h.svc.dispatch.tick(h.advance(1))).storeConfirmationsExpired).toBe(1);
    const [event] = await h.waitForEvent(StoreRejected, orderId);
    expect(event!.data).toMatchObject({ jobId, reason: 'store-confirm-timeout', timedOut: true });
    expect((await (await h.store('S1')).post(`/v1/stores/S1/delivery-jobs/${jobId}/confirm`)).status).toBe(
      409,
    );
  });

  it('a store rejecting an offered job withdraws the offer from the rider', async () => {
    await setup();
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(rider)).toMatchObject({ jobId });
    await (await h.store('S1')).post(`/v1/stores/S1/delivery-jobs/${jobId}/reject`, { reason: 'damaged' });
    expect(await h.offerOf(rider)).toBeNull();
    expect((await rider.get('/v1/riders/me')).body).toMatchObject({ offer: null, status: 'idle' });
  });

  it('staff act on their own store only; another store sees no such job', async () => {
    await setup();
    const { jobId } = await h.confirmedOrder({ storeId: 'S1', destination: at(0, 2) });
    expect((await (await h.store('S2')).post(`/v1/stores/S1/delivery-jobs/${jobId}/confirm`)).status).toBe(
      403,
    );
    expect((await (await h.store('S2')).post(`/v1/stores/S2/delivery-jobs/${jobId}/confirm`)).status).toBe(
      404,
    );
    expect(
      (
        await (
          await h.store('S1')
        ).post(`/v1/stores/S1/delivery-jobs/${jobId}/confirm`, { readyInMinutes: 999 })
      ).status,
    ).toBe(400);
    expect((await h.job(jobId)).status).toBe('awaiting_store');
  });

  it('a store no zone lists is rejected at once (dispatch cannot know where it is)', async () => {
    await setup();
    const { orderId, jobId } = await h.confirmedOrder({ storeId: 'S404', destination: at(0, 2) });
    const [event] = await h.waitForEvent(StoreRejected, orderId);
    expect(event!.data).toMatchObject({
      jobId,
      storeId: 'S404',
      reason: 'store-not-in-any-delivery-zone',
      timedOut: false,
    });
  });
});

describe('order events: redelivery and disorder', () => {
  it('the same confirmation twice (same or new event id) makes one job', async () => {
    await setup();
    const { orderId, jobId } = await h.confirmedOrder({ storeId: 'S1', destination: at(0, 2) });
    const first = (await h.svc.ctx.collections.jobs.findById(jobId))!;
    const ev = await h.publish(OrderConfirmed, orderId, confirmation(orderId, 'S1', 0));
    await h.publish(OrderConfirmed, orderId, confirmation(orderId, 'S1', 0), ev.id);
    // Same key, so handled after the two above: once it is handled, they were.
    await h.waitHandled(await h.publish(OrderConfirmed, orderId, confirmation(orderId, 'S1', 0)));
    await h.waitHandled(
      await h.publish(OrderConfirmed, 'pickup-order', {
        ...confirmation('pickup-order', 'S1', 0),
        fulfilment: { method: 'pickup', locationId: 'S1' },
      }),
    );
    expect(await h.svc.ctx.collections.jobs.countDocuments({ orderId })).toBe(1);
    expect((await h.svc.ctx.collections.jobs.findById(jobId))!.deliveryCode).toBe(first.deliveryCode);
    expect(await h.svc.ctx.collections.jobs.countDocuments({ orderId: 'pickup-order' })).toBe(0);
    await h.drained(orderId);
    expect(h.eventsOf(DeliveryJobCreated, orderId)).toHaveLength(1);
  });

  it('re-routing voids the job, withdraws the offer, and ignores a late confirmation of the old attempt', async () => {
    await setup();
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(rider)).toMatchObject({ jobId });
    await h.publish(OrderRerouted, orderId, {
      orderId,
      fromLocationId: 'S1',
      toLocationId: 'S2',
      reason: 'short pick',
      routeAttempt: 1,
    });
    await waitFor(async () => (await h.job(jobId)).status === 'cancelled', { what: 'job voided' });
    expect(await h.offerOf(rider)).toBeNull();
    await waitFor(() => h.svc.board.get('R1')?.offerJobId === undefined, { what: 'board refreshed' });
    // The old attempt's confirmation arrives late (redelivered): ignored. The new one makes a job at S2.
    await h.waitHandled(await h.publish(OrderConfirmed, orderId, confirmation(orderId, 'S1', 0)));
    const next = await h.confirmedOrder({ orderId, storeId: 'S2', destination: at(0, 2), routeAttempt: 1 });
    expect(await h.job(next.jobId)).toMatchObject({ storeId: 'S2', status: 'awaiting_store' });
    expect(await h.job(jobId)).toMatchObject({ status: 'cancelled', voided: { reason: 'rerouted' } });
    expect(await h.svc.ctx.collections.jobs.countDocuments({ orderId })).toBe(2);
    // Tracking and the customer's code follow the current attempt.
    expect((await (await h.customer('cust-1')).get(`/v1/orders/${orderId}/delivery`)).body).toMatchObject({
      jobId: next.jobId,
    });
  });

  it('a newer confirmation supersedes an older job even if the re-route event never came', async () => {
    await setup();
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    const next = await h.confirmedOrder({ orderId, storeId: 'S2', destination: at(0, 2), routeAttempt: 1 });
    expect(await h.job(jobId)).toMatchObject({ status: 'cancelled' });
    expect(await h.job(next.jobId)).toMatchObject({ status: 'awaiting_store' });
    expect((await rider.get('/v1/riders/me')).body).toMatchObject({ status: 'idle', jobIds: [] });
  });

  it('cancellation frees the assigned rider; after pickup the parcel goes back to the store', async () => {
    await setup();
    const r1 = await h.onDutyRider('R1', at(0.3, 0));
    const a = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await r1.post(`/v1/riders/me/offers/${a.jobId}/accept`);
    await h.publish(OrderCancelled, a.orderId, { orderId: a.orderId, reason: 'customer' });
    await waitFor(async () => (await h.job(a.jobId)).status === 'cancelled', { what: 'job cancelled' });
    expect((await r1.get('/v1/riders/me')).body).toMatchObject({ status: 'idle', jobIds: [] });

    const b = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await r1.post(`/v1/riders/me/offers/${b.jobId}/accept`);
    await r1.post(`/v1/riders/me/jobs/${b.jobId}/pickup`, { parcelCode: (await h.job(b.jobId)).parcelCode });
    await h.publish(OrderCancelled, b.orderId, { orderId: b.orderId, reason: 'customer' });
    await waitFor(async () => (await h.job(b.jobId)).status === 'returning', { what: 'job returning' });
    expect((await r1.get('/v1/riders/me')).body).toMatchObject({ status: 'carrying', jobIds: [b.jobId] });
    const rider = (await h.svc.ctx.collections.riders.findById('R1'))!;
    expect(rider.plan).toEqual([{ kind: 'return', jobId: b.jobId }]);
    await (await h.store('S1')).post(`/v1/stores/S1/delivery-jobs/${b.jobId}/returned`);
    expect((await r1.get('/v1/riders/me')).body).toMatchObject({ status: 'idle' });
  });

  it('a cancellation that arrives before the confirmation leaves no job', async () => {
    await setup();
    const orderId = h.nextOrderId();
    await h.publish(OrderCancelled, orderId, { orderId, reason: 'payment failed' });
    await h.waitHandled(await h.publish(OrderConfirmed, orderId, confirmation(orderId, 'S1', 0)));
    expect(await h.svc.ctx.collections.jobs.countDocuments({ orderId })).toBe(0);
  });

  it('a delivered job stays delivered whatever arrives afterwards', async () => {
    await setup();
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    const job = await h.job(jobId);
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: job.parcelCode });
    await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'code', code: job.deliveryCode },
    });
    await h.publish(OrderCancelled, orderId, { orderId, reason: 'late cancel' });
    await h.waitHandled(
      await h.publish(OrderRerouted, orderId, {
        orderId,
        fromLocationId: 'S1',
        toLocationId: 'S2',
        reason: 'x',
        routeAttempt: 1,
      }),
    );
    expect((await h.job(jobId)).status).toBe('delivered');
  });
});
