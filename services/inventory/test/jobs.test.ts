import { waitFor } from '@omni/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { levelOf, recordEvents, seedDemo, startInventory, T, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  // A fast sweep on the service clock: the test moves the clock, the timer does the rest.
  h = await startInventory({ settings: { expirySweepMs: 50 } });
  await seedDemo(h, [{ sku: 'LEGO', locationId: 'S1', onHand: 3 }]);
});
afterAll(async () => h?.stop());

it('the expiry job releases reservations once their TTL passes on the service clock', async () => {
  const events = await recordEvents(h.deps.bus, 'test-jobs');
  await h.orders.post('/v1/reservations', {
    reservationId: 'job-1',
    locationId: 'S1',
    lines: [{ sku: 'LEGO', qty: 2 }],
    ttlSeconds: 5,
  });
  expect(await levelOf(h, 'LEGO', 'S1')).toMatchObject({ reserved: 2 });
  h.clock.advance(6_000);
  await waitFor(
    async () => (await h.orders.get('/v1/reservations/job-1')).body.status === 'expired' || undefined,
    { what: 'expiry by the job' },
  );
  expect(await levelOf(h, 'LEGO', 'S1')).toMatchObject({ reserved: 0, available: 3 });
  await events.waitFor(T.reservationExpired, 1, 'job-1');
  await events.close();
});
