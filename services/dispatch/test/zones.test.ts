import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryZoneChanged } from '@omni/contracts';
import type { CloudEvent, EventData } from '@omni/events';
import { waitFor } from '@omni/testing';
import { CENTER, Harness, at, squareRing } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => h?.stop());

const body = (extra: Record<string, unknown> = {}) => ({
  city: 'berlin',
  name: 'Mitte',
  area: { type: 'Polygon', coordinates: [squareRing(5), squareRing(0.5, at(3, 3))] },
  stores: [
    { storeId: 'S1', geo: CENTER },
    { storeId: 'S2', geo: at(4, 0) },
  ],
  maxTripMinutes: 15,
  ...extra,
});

describe('zones', () => {
  it('ops create, read, replace (with If-Match) and delete a zone; others may not', async () => {
    const ops = await h.ops();
    const created = await ops.post('/v1/zones', body({ id: 'Z-crud' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/zones/Z-crud');
    expect(created.body).toMatchObject({
      id: 'Z-crud',
      maxTripMinutes: 15,
      referenceVehicle: 'scooter',
      active: true,
      version: 1,
    });
    expect((await ops.post('/v1/zones', body({ id: 'Z-crud' }))).status).toBe(409);

    const got = await ops.get('/v1/zones/Z-crud');
    expect(got.headers.get('etag')).toBe('"1"');
    const replaced = await ops.put('/v1/zones/Z-crud', body({ maxTripMinutes: 20 }), {
      headers: { 'if-match': '"1"' },
    });
    expect(replaced.body).toMatchObject({ maxTripMinutes: 20, version: 2 });
    const stale = await ops.put('/v1/zones/Z-crud', body({ maxTripMinutes: 25 }), {
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ type: 'https://omni.dev/problems/zone-version-mismatch' });

    const list = await ops.get<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      '/v1/zones?limit=10',
    );
    expect(list.body.items.map((z) => z.id)).toContain('Z-crud');
    // The kit's one answer to a forged cursor, the same in every service.
    expect(await ops.get('/v1/zones?cursor=garbage')).toMatchObject({
      status: 400,
      body: { type: 'https://omni.dev/problems/invalid-cursor', errors: [{ field: 'querystring/cursor' }] },
    });

    expect((await (await h.store('S1')).post('/v1/zones', body())).status).toBe(403);
    expect((await (await h.rider('R1')).get('/v1/zones')).status).toBe(403);
    expect((await ops.delete('/v1/zones/Z-crud')).status).toBe(204);
    expect((await ops.get('/v1/zones/Z-crud')).status).toBe(404);
    expect((await ops.delete('/v1/zones/Z-crud')).status).toBe(404);
    const audit = await h.svc.audit.query({ targetId: 'Z-crud' }, { limit: 10 });
    expect(audit.items.map((e) => e.action).sort()).toEqual([
      'dispatch.zone.created',
      'dispatch.zone.deleted',
      'dispatch.zone.replaced',
    ]);
  });

  it('rejects invalid geometry as problem+json listing each bad field, and writes nothing', async () => {
    const ops = await h.ops();
    const open = squareRing(5).slice(0, 4);
    const res = await ops.post('/v1/zones', {
      ...body({ id: 'Z-bad' }),
      area: {
        type: 'Polygon',
        coordinates: [
          [...open, [13.6, 52.6]],
          [
            [200, 95],
            [1, 1],
            [2, 2],
            [200, 95],
          ],
        ],
      },
      stores: [
        { storeId: 'S1', geo: CENTER },
        { storeId: 'S1', geo: CENTER },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/invalid-zone' });
    expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'body/area/coordinates/0',
      'body/area/coordinates/1/0',
      'body/area/coordinates/1/3',
      'body/stores/1/storeId',
    ]);
    const schema = await ops.post('/v1/zones', {
      ...body(),
      area: { type: 'Polygon', coordinates: [[[1, 2]]] },
      extra: true,
      maxTripMinutes: 0,
    });
    expect(schema.status).toBe(400);
    expect((await ops.get('/v1/zones/Z-bad')).status).toBe(404);
  });

  it('answers serviceability: inside the area, outside holes, within the max trip', async () => {
    await (await h.ops()).post('/v1/zones', body({ id: 'Z-svc' }));
    const ask = async (lat: number, lng: number, storeId?: string) =>
      (
        await (
          await h.customer('C1')
        ).get(`/v1/serviceability?lat=${lat}&lng=${lng}${storeId ? `&storeId=${storeId}` : ''}`)
      ).body;
    const near = at(2, 0);
    expect(await ask(near.lat, near.lng)).toMatchObject({
      served: true,
      zoneIds: ['Z-svc'],
      stores: [{ storeId: 'S2' }, { storeId: 'S1' }],
    });
    expect(await ask(near.lat, near.lng, 'S1')).toMatchObject({ served: true, stores: [{ storeId: 'S1' }] });
    const hole = at(3, 3);
    expect(await ask(hole.lat, hole.lng)).toMatchObject({ served: false, zoneIds: [] });
    const outside = at(6, 0);
    expect(await ask(outside.lat, outside.lng)).toMatchObject({ served: false });
    // Inside the area but 15 min by scooter is ≈ 4.8 km: the far corner from S1 is not served by S1.
    const corner = at(-4.9, -4.9);
    expect(await ask(corner.lat, corner.lng, 'S1')).toMatchObject({
      served: false,
      zoneIds: ['Z-svc'],
      stores: [],
    });
    expect((await (await h.customer('C1')).get('/v1/serviceability?lat=100&lng=0')).status).toBe(400);
  });
});

describe('zone events (orders projects them to quote and place delivery)', () => {
  it('every create, replace and delete publishes the whole zone with a rising version, slots included', async () => {
    const ops = await h.ops();
    await ops.post('/v1/zones', body({ id: 'Z-events', slotMinutes: 30, slotCapacity: 8 }));
    await ops.put('/v1/zones/Z-events', body({ maxTripMinutes: 25 }));
    await ops.delete('/v1/zones/Z-events');
    await h.svc.events.flush();
    const changes = await waitFor(
      () => {
        const found = h.events.filter(
          (e) => e.type === DeliveryZoneChanged.type && e.subject === 'Z-events',
        ) as Array<CloudEvent<EventData<typeof DeliveryZoneChanged>>>;
        return found.length >= 3 ? found : undefined;
      },
      { what: 'three zone events' },
    );
    expect(changes.map((e) => [e.data.version, e.data.deleted])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(changes[0]!.data).toMatchObject({
      zoneId: 'Z-events',
      maxTripMinutes: 15,
      slotMinutes: 30,
      slotCapacity: 8,
      // scooter at the default travel model
      travel: { speedKmh: 25, detourFactor: 1.3 },
      stores: [
        { storeId: 'S1', geo: CENTER },
        { storeId: 'S2', geo: at(4, 0) },
      ],
    });
    // a replace without slot settings goes back to the defaults (one hour, 20 per store)
    expect(changes[1]!.data).toMatchObject({ maxTripMinutes: 25, slotMinutes: 60, slotCapacity: 20 });
  });
});
