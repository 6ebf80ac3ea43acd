import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTER, Harness } from './harness';

// Issue 13 item 17: unknown ids → 404 everywhere, lists of an unknown parent included.

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => h?.stop());

describe('unknown riders and stores', () => {
  it('shifts of a rider nobody registered → 404; of a registered rider → a page', async () => {
    const ops = await h.ops();
    const unknown = await ops.get('/v1/riders/NOBODY/shifts');
    expect(unknown.status).toBe(404);
    expect(
      (await ops.post('/v1/riders', { id: 'R7', name: 'Rider 7', vehicle: 'bike', capacity: 2 })).status,
    ).toBe(201);
    expect((await ops.get('/v1/riders/R7/shifts')).body).toMatchObject({ items: [] });
  });

  it('delivery jobs of a store no zone serves → 404 store-not-found; of a served store → a page', async () => {
    const ops = await h.ops();
    const unknown = await ops.get('/v1/stores/S404/delivery-jobs');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'https://omni.dev/problems/store-not-found' });
    await h.zone('Z7', CENTER, [{ storeId: 'S7', geo: CENTER }]);
    const known = await ops.get('/v1/stores/S7/delivery-jobs');
    expect(known.status).toBe(200);
    expect(known.body).toMatchObject({ items: [] });
  });
});
