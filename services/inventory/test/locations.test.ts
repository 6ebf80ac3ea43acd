import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCATIONS, recordEvents, seedDemo, startInventory, T, type Harness } from './harness';

let h: Harness;
let events: Awaited<ReturnType<typeof recordEvents>>;
beforeAll(async () => {
  h = await startInventory();
  events = await recordEvents(h.deps.bus, 'test-locations');
  await seedDemo(h, [{ sku: 'PEN', locationId: 'S1', onHand: 10 }]);
});
afterAll(async () => {
  await events?.close();
  await h?.stop();
});

const body = {
  id: 'S9',
  name: 'Store Pop-up',
  type: 'store',
  address: { lines: ['Alexanderplatz 1'], city: 'Berlin', postalCode: '10178', country: 'DE' },
  geo: { lat: 52.5219, lng: 13.4132 },
  openingHours: [{ day: 'mon', open: '09:00', close: '20:00' }],
  capabilities: ['pickup'],
};

describe('locations', () => {
  it('ops create, update and delete; anyone reads', async () => {
    const created = await h.ops.post('/v1/locations', body);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/locations/S9');
    expect(created.body).toMatchObject({ id: 'S9', status: 'active', capabilities: ['pickup'], version: 1 });
    expect((await h.ops.post('/v1/locations', body)).status).toBe(409);

    const read = await h.anon.get('/v1/locations/S9');
    expect(read.body).toMatchObject({
      id: 'S9',
      name: 'Store Pop-up',
      openingHours: [{ day: 'mon', open: '09:00', close: '20:00' }],
    });
    const stores = await h.anon.get<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      '/v1/locations?type=store&capability=pickup&limit=2',
    );
    expect(stores.body.items.map((l) => l.id)).toEqual(['S1', 'S2']);
    const next = await h.anon.get<{ items: Array<{ id: string }> }>(
      `/v1/locations?type=store&capability=pickup&limit=2&cursor=${stores.body.nextCursor}`,
    );
    expect(next.body.items.map((l) => l.id)).toEqual(['S3', 'S9']);

    const patched = await h.ops.patch('/v1/locations/S9', {
      name: 'Store Alex',
      capabilities: ['pickup', 'local-delivery'],
    });
    expect(patched.body).toMatchObject({
      name: 'Store Alex',
      capabilities: ['pickup', 'local-delivery'],
      version: 2,
    });
    expect((await h.ops.patch('/v1/locations/NOPE', { name: 'x' })).status).toBe(404);
    expect((await h.ops.patch('/v1/locations/S9', {})).status).toBe(400);

    expect((await h.ops.delete('/v1/locations/S1')).status).toBe(409);
    expect((await h.ops.delete('/v1/locations/S9')).status).toBe(204);
    expect((await h.anon.get('/v1/locations/S9')).status).toBe(404);
    const audit = await h.svc.audit.query({ targetId: 'S9' }, { limit: 10 });
    expect(audit.items.map((e) => e.action).sort()).toEqual([
      'location.created',
      'location.deleted',
      'location.updated',
    ]);
  });

  it('validates location bodies', async () => {
    const bad = [
      { ...body, id: 'has|pipe' },
      { ...body, type: 'kiosk' },
      { ...body, geo: { lat: 123, lng: 0 } },
      { ...body, capabilities: ['teleport'] },
      { ...body, openingHours: [{ day: 'mon', open: '25:00', close: '20:00' }] },
      { ...body, address: { ...body.address, country: 'Germany' } },
      { ...body, extra: 1 },
    ];
    for (const b of bad) expect((await h.ops.post('/v1/locations', b)).status).toBe(400);
  });

  it('only ops write locations', async () => {
    expect((await h.anon.post('/v1/locations', body)).status).toBe(401);
    expect(
      (await h.anon.withToken(await h.deps.issuer.staff('S1', 'manager')).post('/v1/locations', body)).status,
    ).toBe(403);
    expect((await h.orders.put('/v1/locations/S1/status', { status: 'paused' })).status).toBe(403);
  });

  it('pausing a location announces it and takes it out of reservations and channel ATP', async () => {
    const paused = await h.ops.put('/v1/locations/S1/status', { status: 'paused', reason: 'staff shortage' });
    expect(paused.body).toMatchObject({ status: 'paused', statusReason: 'staff shortage' });
    const [event] = await events.waitFor(T.locationStatusChanged, 1, 'S1');
    expect(event!.data).toEqual({ locationId: 'S1', status: 'paused', reason: 'staff shortage' });
    const reserve = await h.orders.post('/v1/reservations', {
      locationId: 'S1',
      lines: [{ sku: 'PEN', qty: 1 }],
    });
    expect(reserve.body).toMatchObject({ status: 422, type: 'https://omni.dev/problems/location-paused' });
    expect((await h.anon.get('/v1/availability?skus=PEN')).body).toMatchObject({
      items: [{ sku: 'PEN', available: 0, level: 'out' }],
    });
    // Setting the same status again is a no-op without a second event.
    await h.ops.put('/v1/locations/S1/status', { status: 'paused' });
    await h.ops.put('/v1/locations/S1/status', { status: 'active' });
    const all = await events.waitFor(T.locationStatusChanged, 2, 'S1');
    expect(all.map((e) => e.data.status)).toEqual(['paused', 'active']);
    expect((await h.anon.get('/v1/availability?skus=PEN')).body).toMatchObject({
      items: [{ sku: 'PEN', available: 10 }],
    });
    expect(LOCATIONS.length).toBe(4);
  });
});
