import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryAssigned, OrderConfirmed } from '@omni/contracts';
import { CENTER, Harness, at, type Api } from './harness';

let h: Harness;
afterEach(async () => h?.stop());

const S1 = { storeId: 'S1', geo: CENTER };

describe('under concurrency', () => {
  it('many jobs at once, few riders: one offer per rider at a time, nobody over capacity, each job once', async () => {
    h = await Harness.start({ searchBackoffMs: 1_000, searchBackoffMaxMs: 1_000 });
    await h.zone('Z1', CENTER, [S1]);
    const riders: Array<{ id: string; api: Api }> = [];
    for (let i = 0; i < 8; i++)
      riders.push({
        id: `R${i}`,
        api: await h.onDutyRider(`R${i}`, at(0.2 * i, 0.1), { capacity: 1 + (i % 3) }),
      });
    const capacity = riders.reduce((n, _r, i) => n + 1 + (i % 3), 0); // 15
    const orders = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        h.confirmedOrder({ storeId: 'S1', destination: at(0.1 * (i % 10), 1.5) }),
      ),
    );
    const store = await h.store('S1');
    const ready = await Promise.all(
      orders.map((o) => store.post(`/v1/stores/S1/delivery-jobs/${o.jobId}/ready`)),
    );
    expect(ready.every((r) => r.status === 200)).toBe(true);

    // Riders accept whatever they are offered, in parallel, round after round.
    for (let round = 0; round < 20; round++) {
      const offers = await Promise.all(riders.map((r) => h.offerOf(r.api)));
      const open = riders.map((r, i) => ({ r, offer: offers[i] })).filter((x) => x.offer);
      // A rider never holds more than one offer: the store document says so too.
      const docs = await h.svc.ctx.collections.riders.find({});
      const offeredJobs = await h.svc.ctx.collections.jobs.find({ status: 'offered' });
      expect(new Set(offeredJobs.map((j) => j.offer!.riderId)).size).toBe(offeredJobs.length);
      for (const d of docs)
        expect(offeredJobs.filter((j) => j.offer!.riderId === d._id).length).toBe(d.offer ? 1 : 0);
      await Promise.all(open.map((x) => x.r.api.post(`/v1/riders/me/offers/${x.offer!.jobId}/accept`)));
      await h.svc.dispatch.tick(h.advance(1_000));
      for (const r of riders) await h.locate(r.api, h.svc.board.get(r.id)!.location!);
      if ((await h.svc.ctx.collections.jobs.countDocuments({ status: 'assigned' })) === capacity) break;
    }

    const assigned = await h.svc.ctx.collections.jobs.find({ status: 'assigned' });
    expect(assigned).toHaveLength(capacity); // every slot filled, the rest still searching
    expect(
      await h.svc.ctx.collections.jobs.countDocuments({ status: { $in: ['searching', 'offered'] } }),
    ).toBe(30 - capacity);
    for (const d of await h.svc.ctx.collections.riders.find({})) {
      expect(d.jobs.length).toBeLessThanOrEqual(d.capacity);
      expect(d.freeSlots).toBe(d.capacity - d.jobs.length);
      expect(d.jobs.map((j) => j.jobId).sort()).toEqual(
        assigned
          .filter((j) => j.riderId === d._id)
          .map((j) => j._id)
          .sort(),
      );
    }
    const events = await Promise.all(assigned.map((j) => h.waitForEvent(DeliveryAssigned, j.orderId)));
    expect(events.every((e) => e.length === 1)).toBe(true);
  });

  it('twenty parallel accepts of one offer assign it once', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.3, 0), { capacity: 3 });
    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => rider.post(`/v1/riders/me/offers/${jobId}/accept`)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true); // accepting again is a no-op
    const doc = (await h.svc.ctx.collections.riders.findById('R1'))!;
    expect(doc.jobs.map((j) => j.jobId)).toEqual([jobId]);
    expect(doc.freeSlots).toBe(2);
    await h.drained(orderId);
    expect(h.eventsOf(DeliveryAssigned, orderId)).toHaveLength(1);
  });

  it('accept racing decline: exactly one wins', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    const [accept, decline] = await Promise.all([
      rider.post(`/v1/riders/me/offers/${jobId}/accept`),
      rider.post(`/v1/riders/me/offers/${jobId}/decline`),
    ]);
    const job = await h.job(jobId);
    if (accept.status === 200) {
      expect(decline.status).toBe(409);
      expect(job).toMatchObject({ status: 'assigned', riderId: 'R1' });
    } else {
      expect(decline.status).toBe(204);
      expect(accept.status).toBe(409);
      expect(job.status).toBe('searching');
      expect(job.excludedRiderIds).toEqual(['R1']);
    }
    const doc = (await h.svc.ctx.collections.riders.findById('R1'))!;
    expect(doc.offer).toBeNull();
    expect(doc.jobs.length).toBe(job.status === 'assigned' ? 1 : 0);
  });

  it('fifty parallel wrong codes count exactly up to the lock', async () => {
    h = await Harness.start({ podMaxCodeAttempts: 5 });
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await rider.post(`/v1/riders/me/offers/${jobId}/accept`);
    const job = await h.job(jobId);
    await rider.post(`/v1/riders/me/jobs/${jobId}/pickup`, { parcelCode: job.parcelCode });
    const wrong = job.deliveryCode === '0000' ? '1111' : '0000';
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        rider.post(`/v1/riders/me/jobs/${jobId}/deliver`, { proof: { kind: 'code', code: wrong } }),
      ),
    );
    expect(results.every((r) => r.status === 422)).toBe(true);
    expect((await h.job(jobId)).podAttempts).toBe(5);
    expect((await h.job(jobId)).status).toBe('picked_up');
  });

  it('a hundred copies of one confirmation (new event ids, all at once) make one job', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const orderId = h.nextOrderId();
    const events = await Promise.all(
      Array.from({ length: 100 }, () => h.publish(OrderConfirmed, orderId, { ...markerData(), orderId })),
    );
    await Promise.all(events.map((e) => h.waitHandled(e)));
    expect(await h.svc.ctx.collections.jobs.countDocuments({ orderId })).toBe(1);
  });
});

function markerData() {
  return {
    orderId: 'marker',
    channel: 'online' as const,
    fulfilment: { method: 'delivery' as const, locationId: 'S1', geo: at(0, 2) },
    reservationId: 'res',
    lines: [],
    total: { amountMinor: 100, currency: 'EUR' },
    payment: { method: 'card' as const, amountDue: { amountMinor: 0, currency: 'EUR' } },
    routeAttempt: 0,
  };
}
