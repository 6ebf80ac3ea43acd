import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptOffer } from '../src/app/respond-to-offer';
import { markReady } from '../src/app/store-actions';
import { newRiderDoc } from '../src/app/manage-riders';
import { iso } from '../src/store/collections';
import { measureAssignment } from '../src';
import { VEHICLES } from '../src/domain/travel';
import { CENTER, Harness, at } from './harness';

const RIDERS = 10_000;
const ORDERS = 1_000;
const STORES = 20;

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => h?.stop());

describe('dispatch at scale', () => {
  it(`assigns ${ORDERS} orders among ${RIDERS} riders exactly once, nobody over capacity`, async () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const somewhere = () => at((random() - 0.5) * 16, (random() - 0.5) * 16);
    const stores = Array.from({ length: STORES }, (_, i) => ({ storeId: `S${i}`, geo: somewhere() }));
    await h.zone('CITY', CENTER, stores);

    // Riders straight into the store (registration one by one is not what is measured here).
    const ctx = h.svc.ctx;
    const now = iso(h.clock);
    const docs = Array.from({ length: RIDERS }, (_, i) => ({
      ...newRiderDoc(
        { id: `R${i}`, name: `Rider ${i}`, vehicle: VEHICLES[i % 3]!, capacity: 1 + (i % 3) },
        now,
      ),
      onDuty: true,
      shiftId: `shift-${i}`,
      location: somewhere(),
      locationAt: now,
    }));
    for (let i = 0; i < docs.length; i += 1000)
      await ctx.collections.riders.insertMany(docs.slice(i, i + 1000));
    expect(await h.svc.dispatch.loadBoard()).toBe(RIDERS);

    let offered = 0;
    for (let o = 0; o < ORDERS; o++) {
      const store = stores[o % STORES]!;
      const destination = at((random() - 0.5) * 6, (random() - 0.5) * 6, store.geo);
      const orderId = `scale-${o}`;
      const outcome = await h.svc.dispatch.createJobFromOrder({
        orderId,
        channel: 'online',
        fulfilment: { method: 'delivery', locationId: store.storeId, geo: destination },
        reservationId: `res-${o}`,
        lines: [{ sku: 'SKU-1', qty: 1, unitPrice: { amountMinor: 100, currency: 'EUR' } }],
        total: { amountMinor: 100, currency: 'EUR' },
        payment: { method: 'card', amountDue: { amountMinor: 0, currency: 'EUR' } },
        routeAttempt: 0,
      });
      expect(outcome).toBe('created');
      const jobId = `${orderId}~0`;
      await markReady(ctx, store.storeId, jobId); // searches and offers at once
      const job = await ctx.collections.jobs.findById(jobId);
      if (job?.status === 'offered') {
        offered++;
        await acceptOffer(ctx, job.offer!.riderId, jobId);
      }
    }
    expect(offered).toBe(ORDERS);

    const jobs = await ctx.collections.jobs.find({ orderId: { $regex: '^scale-' } });
    expect(jobs).toHaveLength(ORDERS);
    expect(jobs.every((j) => j.status === 'assigned' && j.riderId)).toBe(true);
    const riders = await ctx.collections.riders.find({ 'jobs.0': { $exists: true } });
    const held = riders.flatMap((r) => r.jobs.map((j) => j.jobId));
    expect(held).toHaveLength(ORDERS);
    expect(new Set(held).size).toBe(ORDERS);
    for (const r of riders) {
      expect(r.jobs.length).toBeLessThanOrEqual(r.capacity);
      expect(r.freeSlots).toBe(r.capacity - r.jobs.length);
      expect(r.offer).toBeNull();
      for (const j of r.jobs) expect(jobs.find((x) => x._id === j.jobId)!.riderId).toBe(r._id);
    }
    // Some riders took more than one order on the way (batching happened).
    expect(riders.some((r) => r.jobs.length > 1)).toBe(true);
  });

  it('the in-memory benchmark assigns every order within capacity (timings are reported, not asserted)', () => {
    const result = measureAssignment({ riders: RIDERS, orders: ORDERS });
    expect(result).toMatchObject({ assigned: ORDERS, unassigned: 0 });
    expect(result.maxLoadRatio).toBeLessThanOrEqual(1);
    expect(result.perOrderMs.p99).toBeGreaterThan(0);
  });
});
