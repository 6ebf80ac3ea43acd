import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@omni/testing';
import { CENTER, Harness, at } from './harness';

let h: Harness;
afterEach(async () => h?.stop());

const S1 = { storeId: 'S1', geo: CENTER };

describe('ops and the running service', () => {
  it('registers and changes riders with validation and an audit trail; lists them by page', async () => {
    h = await Harness.start();
    const ops = await h.ops();
    const bad = await ops.post('/v1/riders', {
      id: 'R1',
      name: '',
      vehicle: 'rocket',
      capacity: 0,
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(
      expect.arrayContaining(['body/capacity', 'body/extra', 'body/name']),
    );
    expect(await h.svc.ctx.collections.riders.countDocuments({})).toBe(0);
    for (let i = 0; i < 5; i++)
      expect(
        (await ops.post('/v1/riders', { id: `R${i}`, name: `Rider ${i}`, vehicle: 'bike', capacity: 2 }))
          .status,
      ).toBe(201);
    expect(
      (await ops.post('/v1/riders', { id: 'R1', name: 'Again', vehicle: 'bike', capacity: 2 })).status,
    ).toBe(409);
    const changed = await ops.patch('/v1/riders/R1', { capacity: 4, vehicle: 'car', zoneId: 'Z1' });
    expect(changed.body).toMatchObject({ id: 'R1', capacity: 4, vehicle: 'car', zoneId: 'Z1' });
    expect((await ops.patch('/v1/riders/nobody', { capacity: 2 })).status).toBe(404);
    expect((await (await h.rider('R1')).patch('/v1/riders/R1', { capacity: 20 })).status).toBe(403);

    const page1 = await ops.get<{ items: Array<{ id: string }>; nextCursor: string }>('/v1/riders?limit=3');
    const page2 = await ops.get<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      `/v1/riders?limit=3&cursor=${page1.body.nextCursor}`,
    );
    expect([...page1.body.items, ...page2.body.items].map((r) => r.id)).toEqual([
      'R0',
      'R1',
      'R2',
      'R3',
      'R4',
    ]);
    expect(page2.body.nextCursor).toBeNull();
    const audit = await h.svc.audit.query({ targetId: 'R1' }, { limit: 10 });
    expect(audit.items.map((e) => e.action).sort()).toEqual([
      'dispatch.rider.registered',
      'dispatch.rider.updated',
    ]);
  });

  it('replays an accept sent twice with the same Idempotency-Key', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    const headers = { 'idempotency-key': 'accept-1' };
    const first = await rider.post(`/v1/riders/me/offers/${jobId}/accept`, undefined, { headers });
    const second = await rider.post(`/v1/riders/me/offers/${jobId}/accept`, undefined, { headers });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
  });

  it('runs its timers by itself once started (offer timeout with the clock moved on)', async () => {
    h = await Harness.start({ tickMs: 20 });
    await h.zone('Z1', CENTER, [S1]);
    const first = await h.onDutyRider('first', at(0.3, 0));
    const second = await h.onDutyRider('second', at(1, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(first)).toMatchObject({ jobId });
    h.advance(31_000);
    await h.locate(second, at(1, 0));
    await waitFor(async () => (await h.offerOf(second))?.jobId === jobId, {
      what: 'offer moved on by the timer',
    });
    const ops = await h.ops();
    expect(
      (await ops.get<{ status: string; excludedRiderIds: string[] }>(`/v1/delivery-jobs/${jobId}`)).body,
    ).toMatchObject({ status: 'offered', excludedRiderIds: ['first'] });
  });

  it('ops can make a job search again, asking riders who declined before', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const rider = await h.onDutyRider('R1', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await rider.post(`/v1/riders/me/offers/${jobId}/decline`);
    expect(await h.offerOf(rider)).toBeNull();
    const res = await (await h.ops()).post(`/v1/delivery-jobs/${jobId}/search-again`);
    expect(res.body).toMatchObject({ outcome: 'offered', job: { status: 'offered', excludedRiderIds: [] } });
    expect(await h.offerOf(rider)).toMatchObject({ jobId });
    expect((await (await h.ops()).post(`/v1/delivery-jobs/${jobId}/search-again`)).status).toBe(409);
    expect((await (await h.store('S1')).post(`/v1/delivery-jobs/${jobId}/search-again`)).status).toBe(403);
  });

  it('picks up rider changes written by another instance on resync', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    await h.onDutyRider('R1', at(0.3, 0));
    await h.svc.ctx.collections.riders.updateOne(
      { _id: 'R1' },
      { $set: { location: at(2, 2), updatedAt: new Date(h.clock).toISOString() }, $inc: { version: 1 } },
    );
    expect(h.svc.board.get('R1')?.location).toEqual(at(0.3, 0));
    await h.svc.dispatch.resyncBoard();
    expect(h.svc.board.get('R1')?.location).toEqual(at(2, 2));
  });

  it('exposes its metrics and documents its routes', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    await h.onDutyRider('R1', at(0.3, 0));
    await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    const metrics = await (await h.ops()).get('/metrics');
    expect(String(metrics.body)).toMatch(/dispatch_offers_total\{[^}]*outcome="made"[^}]*\} 1/);
    expect(String(metrics.body)).toContain('dispatch_rank_seconds_count');
    const spec = await (await h.ops()).get<{ paths: Record<string, unknown> }>('/docs/json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/zones',
        '/v1/riders/me/offers/{jobId}/accept',
        '/v1/stores/{storeId}/delivery-jobs/{jobId}/confirm',
        '/v1/orders/{orderId}/tracking',
      ]),
    );
  });
});
