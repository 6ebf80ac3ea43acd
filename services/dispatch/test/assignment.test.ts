import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryAssigned, NoRiderAvailable } from '@omni/contracts';
import { CENTER, Harness, MIN, at } from './harness';

let h: Harness;
afterEach(async () => h?.stop());

const S1 = { storeId: 'S1', geo: CENTER };

async function setup(settings: Parameters<typeof Harness.start>[0] = {}) {
  h = await Harness.start(settings);
  await h.zone('Z1', CENTER, [S1]);
}

describe('who gets the offer (crafted geometries)', () => {
  it('the nearest idle rider in the zone', async () => {
    await setup();
    const far = await h.onDutyRider('far', at(3, 0));
    const near = await h.onDutyRider('near', at(-0.8, 0.3));
    const mid = await h.onDutyRider('mid', at(1.5, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(near)).toMatchObject({ jobId });
    expect(await h.offerOf(mid)).toBeNull();
    expect(await h.offerOf(far)).toBeNull();
  });

  it('skips riders who are off duty, stale, of another zone, or elsewhere outside the search radius', async () => {
    await setup({ assignment: { searchRadiusKm: 5 } });
    await h.zone('Z2', at(0, 40), [{ storeId: 'S9', geo: at(0, 40) }]);
    const offDuty = await h.onDutyRider('offduty', at(0.1, 0));
    await offDuty.post('/v1/riders/me/shift/end');
    const stale = await h.onDutyRider('stale', at(0.1, 0.1));
    const otherZone = await h.onDutyRider('otherzone', at(0.1, -0.1), { zoneId: 'Z2' });
    const tooFar = await h.onDutyRider('toofar', at(6, 0));
    h.advance(2 * MIN); // everybody's location is now two minutes old
    const ok = await h.onDutyRider('fresh', at(2, 0), { zoneId: 'Z1' });
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(ok)).toMatchObject({ jobId });
    for (const api of [offDuty, stale, otherZone, tooFar]) expect(await h.offerOf(api)).toBeNull();
  });

  it('keeps the promise: a nearer bike that would be late loses to a car that is on time', async () => {
    await setup();
    const bike = await h.onDutyRider('bike', at(0.2, 0), { vehicle: 'bike' });
    const car = await h.onDutyRider('car', at(2, 0), { vehicle: 'car' });
    // 6 km to the door: the bike needs ~31 min, the car ~5 min to the store + ~16 min.
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 6), promisedInMin: 30 });
    expect(await h.offerOf(car)).toMatchObject({ jobId, late: false });
    expect(await h.offerOf(bike)).toBeNull();
  });

  it('batches onto a rider already heading to the store when the detour is small', async () => {
    await setup();
    const busy = await h.onDutyRider('busy', at(1, 0), { capacity: 2 });
    const first = await h.readyJob({ storeId: 'S1', destination: at(0, 3) });
    expect((await busy.post(`/v1/riders/me/offers/${first.jobId}/accept`)).status).toBe(200);
    const idle = await h.onDutyRider('idle', at(1.5, 0));
    const second = await h.readyJob({ storeId: 'S1', destination: at(0.3, 2.6) });
    expect(await h.offerOf(busy)).toMatchObject({ jobId: second.jobId, batched: true });
    expect(await h.offerOf(idle)).toBeNull();
    await busy.post(`/v1/riders/me/offers/${second.jobId}/accept`);
    const [assigned] = await h.waitForEvent(DeliveryAssigned, second.orderId);
    expect(assigned!.data).toMatchObject({ riderId: 'busy', batched: true });
    // Drop order: the nearer door first.
    const rider = (await h.svc.ctx.collections.riders.findById('busy'))!;
    expect(rider.plan.map((s) => `${s.kind}:${s.jobId}`)).toEqual([
      `pickup:${first.jobId}`,
      `pickup:${second.jobId}`,
      `drop:${second.jobId}`,
      `drop:${first.jobId}`,
    ]);
  });

  it('does not batch beyond capacity', async () => {
    await setup();
    const busy = await h.onDutyRider('busy', at(1, 0), { capacity: 1 });
    const first = await h.readyJob({ storeId: 'S1', destination: at(0, 3) });
    await busy.post(`/v1/riders/me/offers/${first.jobId}/accept`);
    const idle = await h.onDutyRider('idle', at(1.5, 0));
    const second = await h.readyJob({ storeId: 'S1', destination: at(0.3, 2.6) });
    expect(await h.offerOf(idle)).toMatchObject({ jobId: second.jobId, batched: false });
    expect(await h.offerOf(busy)).toBeNull();
  });

  it('does not batch when the detour would break the promise of an order already on the route', async () => {
    await setup();
    const busy = await h.onDutyRider('busy', at(0.5, 0), { capacity: 3 });
    // First order: 5 km east, promised in 21 min — ≈ 1.6 + 2 + 15.6 min alone: little slack.
    const first = await h.readyJob({ storeId: 'S1', destination: at(0, 5), promisedInMin: 21 });
    await busy.post(`/v1/riders/me/offers/${first.jobId}/accept`);
    const idle = await h.onDutyRider('idle', at(2, 0));
    // Second order: 3 km west — any order of stops makes the first one late (or this one).
    const second = await h.readyJob({ storeId: 'S1', destination: at(0, -3), promisedInMin: 60 });
    expect(await h.offerOf(idle)).toMatchObject({ jobId: second.jobId, batched: false });
    expect(await h.offerOf(busy)).toBeNull();
  });

  it('starts the search a lead time before the estimated ready time', async () => {
    await setup({ readyLeadMs: 5 * MIN });
    const rider = await h.onDutyRider('R1', at(0.5, 0));
    const { jobId } = await h.confirmedOrder({ storeId: 'S1', destination: at(0, 2) });
    const confirmed = await (
      await h.store('S1')
    ).post(`/v1/stores/S1/delivery-jobs/${jobId}/confirm`, { readyInMinutes: 20 });
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    h.advance(14 * MIN);
    await h.locate(rider, at(0.5, 0));
    await h.svc.dispatch.tick(h.clock);
    expect(await h.offerOf(rider)).toBeNull();
    h.advance(1 * MIN);
    await h.locate(rider, at(0.5, 0));
    await h.svc.dispatch.tick(h.clock);
    expect(await h.offerOf(rider)).toMatchObject({ jobId });
  });
});

describe('offers', () => {
  it('an offer that times out goes to the next rider; the first is not asked again', async () => {
    await setup({ offerTimeoutMs: 30_000 });
    const first = await h.onDutyRider('first', at(0.3, 0));
    const second = await h.onDutyRider('second', at(1, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(first)).toMatchObject({ jobId });
    expect((await h.svc.dispatch.tick(h.advance(29_000))).offersExpired).toBe(0);
    expect((await h.svc.dispatch.tick(h.advance(2_000))).offersExpired).toBe(1);
    expect(await h.offerOf(first)).toBeNull();
    expect(await h.offerOf(second)).toMatchObject({ jobId });
    const late = await first.post(`/v1/riders/me/offers/${jobId}/accept`);
    expect(late.status).toBe(404);
    expect((await h.job(jobId)).excludedRiderIds).toEqual(['first']);
  });

  it('accepting after the deadline but before the timer ran is refused', async () => {
    await setup({ offerTimeoutMs: 30_000 });
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    h.advance(31_000);
    const res = await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/offer-expired' });
  });

  it('a declined offer goes to the next rider at once', async () => {
    await setup();
    const first = await h.onDutyRider('first', at(0.3, 0));
    const second = await h.onDutyRider('second', at(1, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect((await first.post(`/v1/riders/me/offers/${jobId}/decline`, { reason: 'flat tyre' })).status).toBe(
      204,
    );
    expect(await h.offerOf(second)).toMatchObject({ jobId });
    expect(await h.offerOf(first)).toBeNull();
    expect((await first.post(`/v1/riders/me/offers/${jobId}/decline`)).status).toBe(404);
  });

  it('with nobody available it searches again with backoff and alerts ops once', async () => {
    await setup({ searchBackoffMs: 5_000, noRiderAlertAfter: 3 });
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.job(jobId)).toMatchObject({ status: 'searching', searchAttempts: 1 });
    await h.svc.dispatch.tick(h.advance(4_000)); // not due yet
    expect((await h.job(jobId)).searchAttempts).toBe(1);
    await h.svc.dispatch.tick(h.advance(1_000)); // 5 s: second search
    expect((await h.job(jobId)).searchAttempts).toBe(2);
    await h.svc.dispatch.tick(h.advance(10_000)); // 10 s later: third
    const job = await h.job(jobId);
    expect(job).toMatchObject({ searchAttempts: 3, noRiderAlerted: true });
    expect(Date.parse(job.nextSearchAt!) - h.clock).toBe(20_000);
    const [alert] = await h.waitForEvent(NoRiderAvailable, orderId);
    expect(alert!.data).toMatchObject({ jobId, attempts: 3 });
    await h.svc.dispatch.tick(h.advance(20_000));
    await h.drained(orderId);
    expect(h.eventsOf(NoRiderAvailable, orderId)).toHaveLength(1);
    // A rider comes on duty: the next search finds them.
    const rider = await h.onDutyRider('late-rider', at(0.5, 0));
    await h.svc.dispatch.tick(h.advance(40_000));
    await h.locate(rider, at(0.5, 0));
    await h.svc.dispatch.tick(h.clock);
    expect(await h.offerOf(rider)).toMatchObject({ jobId });
  });

  it('a rider holds one offer at a time; the second job waits and is batched once the first is accepted', async () => {
    await setup({ searchBackoffMs: 1_000 });
    const rider = await h.onDutyRider('solo', at(0.3, 0), { capacity: 2 });
    const a = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    const b = await h.readyJob({ storeId: 'S1', destination: at(0, 2.2) });
    expect(await h.offerOf(rider)).toMatchObject({ jobId: a.jobId });
    expect(await h.job(b.jobId)).toMatchObject({ status: 'searching', searchAttempts: 1 });
    await rider.post(`/v1/riders/me/offers/${a.jobId}/accept`);
    await h.svc.dispatch.tick(h.advance(1_000));
    expect(await h.offerOf(rider)).toMatchObject({ jobId: b.jobId, batched: true });
  });
});

describe('riders see and act on their own jobs only', () => {
  it("rider A gets 404 on rider B's job and offer, and 403 on B's account", async () => {
    await setup();
    const a = await h.onDutyRider('A', at(5, 5));
    const b = await h.onDutyRider('B', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(b)).toMatchObject({ jobId });
    expect((await a.post(`/v1/riders/me/offers/${jobId}/accept`)).status).toBe(404);
    expect((await a.post(`/v1/riders/me/offers/${jobId}/decline`)).status).toBe(404);
    await b.post(`/v1/riders/me/offers/${jobId}/accept`);
    const parcelCode = (await h.job(jobId)).parcelCode;
    expect((await a.get(`/v1/riders/me/jobs/${jobId}`)).status).toBe(404);
    expect((await a.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode })).status).toBe(404);
    expect((await a.post(`/v1/riders/me/jobs/${jobId}/fail`, { reason: 'x' })).status).toBe(404);
    expect((await a.get('/v1/riders/me/jobs')).body).toEqual({ items: [] });
    expect((await a.get('/v1/riders/B')).status).toBe(403);
    expect((await a.get('/v1/riders/A')).status).toBe(200);
    expect((await b.get(`/v1/riders/me/jobs/${jobId}`)).body).toMatchObject({
      id: jobId,
      status: 'assigned',
    });
    // Nor can a rider use ops or store endpoints.
    expect((await a.get('/v1/delivery-jobs')).status).toBe(403);
    expect((await a.post(`/v1/stores/S1/delivery-jobs/${jobId}/ready`)).status).toBe(403);
    // An ops token is not a rider: /me needs a riderId.
    expect((await (await h.ops()).get('/v1/riders/me')).status).toBe(403);
  });

  it('a rider cannot end the shift while holding a job', async () => {
    await setup();
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect((await rider.post('/v1/riders/me/shift/end')).body).toMatchObject({
      type: 'https://omni.dev/problems/rider-busy',
    });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    expect((await rider.post('/v1/riders/me/shift/end')).status).toBe(409);
    expect((await rider.post('/v1/riders/me/shift/start')).status).toBe(409);
  });
});
