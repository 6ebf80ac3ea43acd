import { afterEach, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import {
  DeliveryAssigned,
  DeliveryDelivered,
  DeliveryFailed,
  DeliveryJobCreated,
  DeliveryLate,
  DeliveryPickedUp,
} from '@omni/contracts';
import { CENTER, Harness, MIN, at } from './harness';

let h: Harness;
afterEach(async () => h?.stop());

const S1 = { storeId: 'S1', geo: CENTER };

describe('a delivery from order to door', () => {
  it('creates the job, offers it when ready, and delivers it with the customer code', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.5, 0));
    const { orderId, jobId } = await h.readyJob({
      storeId: 'S1',
      destination: at(0, 2),
      customerId: 'C1',
      cod: 1990,
    });

    const [created] = await h.waitForEvent(DeliveryJobCreated, orderId);
    expect(created!.data).toMatchObject({ jobId, orderId, storeId: 'S1', destination: at(0, 2) });

    const offer = await h.offerOf(rider);
    expect(offer).toMatchObject({ jobId, batched: false, late: false });
    const accepted = await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      id: jobId,
      status: 'assigned',
      cashToCollect: { amountMinor: 1990, currency: 'EUR' },
    });
    expect(JSON.stringify(accepted.body)).not.toContain((await h.job(jobId)).deliveryCode);
    const [assigned] = await h.waitForEvent(DeliveryAssigned, orderId);
    expect(assigned!.data).toMatchObject({ jobId, riderId: 'R1', batched: false });

    const me = await rider.get('/v1/riders/me');
    expect(me.body).toMatchObject({ status: 'to_store', carrying: 0, jobIds: [jobId] });

    // Scan at the store: the label code the store sees.
    const storeView = await (
      await h.store('S1')
    ).get<{ items: Array<{ id: string; parcelCode: string }> }>(
      '/v1/stores/S1/delivery-jobs?status=assigned',
    );
    const parcelCode = storeView.body.items.find((j) => j.id === jobId)!.parcelCode;
    expect((await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: 'WRONG' })).status).toBe(
      422,
    );
    expect((await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode })).body).toMatchObject({
      status: 'picked_up',
    });
    await h.waitForEvent(DeliveryPickedUp, orderId);
    expect((await rider.get('/v1/riders/me')).body).toMatchObject({ status: 'carrying', carrying: 1 });
    expect((await rider.post(`/v1/riders/me/jobs/${jobId}/en-route`)).body).toMatchObject({
      status: 'en_route',
    });

    // Tracking for the customer: rider position and an ETA.
    const customer = await h.customer('C1');
    await h.locate(rider, at(0, 1));
    const tracking = await customer.get(`/v1/orders/${orderId}/tracking`);
    expect(tracking.status).toBe(200);
    expect(tracking.body).toMatchObject({
      orderId,
      status: 'en_route',
      late: false,
      rider: { name: 'Rider R1', vehicle: 'scooter', location: at(0, 1) },
    });
    expect(Date.parse(tracking.body.etaAt as string)).toBeGreaterThan(h.clock);
    expect((await (await h.customer('C2')).get(`/v1/orders/${orderId}/tracking`)).status).toBe(403);
    expect((await client(h.url).get(`/v1/orders/${orderId}/tracking`)).status).toBe(401);
    expect((await client(h.url).get('/v1/orders/unknown-order/delivery')).status).toBe(401);
    expect((await customer.get('/v1/orders/unknown-order/delivery')).status).toBe(404);

    const { deliveryCode } = (await customer.get<{ deliveryCode: string }>(`/v1/orders/${orderId}/delivery`))
      .body;
    expect(deliveryCode).toMatch(/^\d{4}$/);
    expect((await (await h.store('S1')).get(`/v1/orders/${orderId}/delivery`)).status).toBe(403);

    const wrongCode = deliveryCode === '0000' ? '1111' : '0000';
    const cod = { amountMinor: 1990, currency: 'EUR' };
    const wrong = await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'code', code: wrongCode },
      codCollected: cod,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({
      type: 'https://omni.dev/problems/wrong-delivery-code',
      attempts: 1,
      attemptsLeft: 4,
    });
    const noCash = await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'code', code: deliveryCode },
    });
    expect(noCash.body).toMatchObject({ type: 'https://omni.dev/problems/cod-amount-required' });
    const done = await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'code', code: deliveryCode },
      codCollected: { amountMinor: 1900, currency: 'EUR' },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'delivered' });
    const [delivered] = await h.waitForEvent(DeliveryDelivered, orderId);
    expect(delivered!.data).toMatchObject({
      jobId,
      riderId: 'R1',
      proof: 'code',
      codCollected: { amountMinor: 1900, currency: 'EUR' },
    });
    expect((await rider.get('/v1/riders/me')).body).toMatchObject({ status: 'idle', jobIds: [] });
    await h.drained(orderId);
    expect(h.eventsOf(DeliveryLate, orderId)).toHaveLength(0);

    // Cash reconciliation of the shift: 19.90 due, 19.00 handed in.
    const shiftId = (await rider.get<{ shiftId: string }>('/v1/riders/me')).body.shiftId;
    const cash = await (await h.ops()).get(`/v1/ops/riders/R1/shifts/${shiftId}/cash`);
    expect(cash.body).toMatchObject({
      deliveries: 1,
      totals: [{ currency: 'EUR', expectedMinor: 1990, collectedMinor: 1900, differenceMinor: -90 }],
      balanced: false,
      discrepancies: [{ jobId, differenceMinor: -90 }],
    });
    expect((await rider.get(`/v1/ops/riders/R1/shifts/${shiftId}/cash`)).status).toBe(403);
  });

  it('accepts a photo taken at the door, refuses one taken far away', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.2, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(1, 1) });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    const job = await h.job(jobId);
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: job.parcelCode.toLowerCase() });
    const far = await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'photo', photoUrl: 'https://img.example/p.jpg', geo: at(1.5, 1) },
    });
    expect(far.status).toBe(422);
    expect(far.body).toMatchObject({
      type: 'https://omni.dev/problems/too-far-from-destination',
      maxDistanceM: 150,
    });
    const near = await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'photo', photoUrl: 'https://img.example/p.jpg', geo: at(1.05, 1) },
    });
    expect(near.status).toBe(200);
    const [delivered] = await h.waitForEvent(DeliveryDelivered, orderId);
    expect(delivered!.data.proof).toBe('photo');
  });

  it('locks code proof after too many wrong codes', async () => {
    h = await Harness.start({ podMaxCodeAttempts: 2 });
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.2, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(1, 1) });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: (await h.job(jobId)).parcelCode });
    const code = (await h.job(jobId)).deliveryCode;
    const wrong = code === '0000' ? '1111' : '0000';
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(
        (await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, { proof: { kind: 'code', code: wrong } }))
          .body,
      );
    expect(answers.map((a) => [a.type, a.attemptsLeft])).toEqual([
      ['https://omni.dev/problems/wrong-delivery-code', 1],
      ['https://omni.dev/problems/wrong-delivery-code', 0],
      ['https://omni.dev/problems/delivery-code-locked', 0],
    ]);
    const right = await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, { proof: { kind: 'code', code } });
    expect(right.body).toMatchObject({ type: 'https://omni.dev/problems/delivery-code-locked' });
  });

  it('a failed attempt sends the parcel back to the store, which frees the rider when it arrives', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.2, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(1, 1) });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: (await h.job(jobId)).parcelCode });
    const failed = await rider.post(`/v1/riders/me/jobs/${jobId}/fail`, { reason: 'nobody home' });
    expect(failed.body).toMatchObject({ status: 'returning', failure: { reason: 'nobody home' } });
    const [event] = await h.waitForEvent(DeliveryFailed, orderId);
    expect(event!.data).toMatchObject({ jobId, riderId: 'R1', reason: 'nobody home' });
    expect((await rider.get('/v1/riders/me')).body).toMatchObject({ status: 'carrying', carrying: 1 });
    // Another store cannot take it in; the right one can.
    expect((await (await h.store('S2')).post(`/v1/stores/S2/delivery-jobs/${jobId}/returned`)).status).toBe(
      404,
    );
    expect(
      (await (await h.store('S1')).post(`/v1/stores/S1/delivery-jobs/${jobId}/returned`)).body,
    ).toMatchObject({ status: 'returned' });
    expect((await rider.get('/v1/riders/me')).body).toMatchObject({ status: 'idle', jobIds: [] });
  });

  it('reports a late delivery once, with the minutes late', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.2, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(1, 1), promisedInMin: 40 });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    expect(await h.svc.dispatch.checkSla(h.advance(39 * MIN))).toBe(0);
    expect(await h.svc.dispatch.checkSla(h.advance(8 * MIN))).toBe(1);
    const [late] = await h.waitForEvent(DeliveryLate, orderId);
    expect(late!.data).toMatchObject({ jobId, orderId, minutesLate: 7 });
    expect(await h.svc.dispatch.checkSla(h.advance(5 * MIN))).toBe(0);
    // Delivered later still: no second report.
    await h.locate(rider, at(0, 0));
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: (await h.job(jobId)).parcelCode });
    await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'code', code: (await h.job(jobId)).deliveryCode },
    });
    await h.drained(orderId);
    expect(h.eventsOf(DeliveryDelivered, orderId)).toHaveLength(1);
    expect(h.eventsOf(DeliveryLate, orderId)).toHaveLength(1);
    const tracking = await (await h.customer('cust-1')).get(`/v1/orders/${orderId}/tracking`);
    expect(tracking.body).toMatchObject({ status: 'delivered', late: true });
  });

  it('reports lateness at delivery when the SLA timer has not seen it yet', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.2, 0));
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(1, 1), promisedInMin: 30 });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: (await h.job(jobId)).parcelCode });
    h.advance(42 * MIN + 10_000);
    await rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, {
      proof: { kind: 'code', code: (await h.job(jobId)).deliveryCode },
    });
    const [late] = await h.waitForEvent(DeliveryLate, orderId);
    expect(late!.data.minutesLate).toBe(13);
  });
});
