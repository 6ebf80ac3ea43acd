import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, startInventory, type Harness } from './harness';

// Issue 13 item 17: unknown ids → 404 everywhere, lists of an unknown parent included.

let h: Harness;
beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [{ sku: 'PEN', locationId: 'S1', onHand: 10 }]);
});
afterAll(async () => h?.stop());

describe('unknown locations', () => {
  it('the stock list of a location that does not exist is 404, of one that does a page', async () => {
    const unknown = await h.ops.get('/v1/locations/NOWHERE/stock');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'https://omni.dev/problems/unknown-location' });
    const known = await h.ops.get<{ items: Array<{ sku: string }> }>('/v1/locations/S1/stock');
    expect(known.status).toBe(200);
    expect(known.body.items.map((i) => i.sku)).toContain('PEN');
  });
});
