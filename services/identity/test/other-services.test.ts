import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '@omni/store';
import { RevocationList, type AuthenticatorOptions, type Service } from '@omni/kit';
import type { Subscription } from '@omni/events';
import { client, waitFor } from '@omni/testing';
// The real services, as deployed: they verify identity's tokens with its JWKS URL and learn
// revocations from the bus. (Workspace packages; declared as devDependencies once the lockfile is
// regenerated — see the identity report.)
import { buildInventoryService } from '@omni/inventory';
import { buildPickupService } from '@omni/pickup';
import { buildDispatchService } from '@omni/dispatch';
import { subscribeRevocations } from '../src';
import { PASSWORD, startIdentity, type IdentityHarness } from './harness';

let h: IdentityHarness;
let services: Record<'inventory' | 'pickup' | 'dispatch', Service>;
const subscriptions: Subscription[] = [];

beforeAll(async () => {
  h = await startIdentity();
  const auth = async (name: string): Promise<AuthenticatorOptions> => {
    const revocations = new RevocationList();
    subscriptions.push(await subscribeRevocations(h.bus, revocations, { group: `${name}-revocations-test` }));
    const { issuer, audience } = h.svc.settings;
    return { keys: { jwksUrl: `${h.svc.url}/.well-known/jwks.json` }, issuer, audience, revocations };
  };
  const common = { bus: h.bus, ownsBus: false, logLevel: 'silent' as const };
  const inventory = buildInventoryService({
    ...common,
    store: createEmbeddedStore(),
    auth: await auth('inventory'),
    grpc: false,
  });
  const pickup = buildPickupService({
    ...common,
    store: createEmbeddedStore(),
    auth: await auth('pickup'),
    codeSecret: 'identity-test-pickup-secret-0123456789',
    stores: ['store-a', 'store-b'],
    timings: { sweepIntervalMs: 3_600_000, notifyIntervalMs: 3_600_000 },
  });
  const dispatch = buildDispatchService({
    ...common,
    store: createEmbeddedStore(),
    auth: await auth('dispatch'),
    settings: { tickMs: 0 },
  });
  services = { inventory, pickup, dispatch };
  for (const svc of Object.values(services)) await svc.start();
  // Unknown locations and riders are 404 (issue 13 item 17): the ones the tokens name exist.
  const store = await client(inventory.url, h.ops).post('/v1/locations', {
    id: 'store-a',
    name: 'Store A',
    type: 'store',
    address: { lines: ['Alexanderplatz 1'], city: 'Berlin', postalCode: '10178', country: 'DE' },
    geo: { lat: 52.5219, lng: 13.4132 },
    openingHours: [{ day: 'mon', open: '09:00', close: '20:00' }],
    capabilities: ['pickup'],
  });
  if (store.status !== 201) throw new Error(`location: ${store.status} ${JSON.stringify(store.body)}`);
  const rider = await client(dispatch.url, h.ops).post('/v1/riders', {
    id: 'rider-a',
    name: 'Rider A',
    vehicle: 'bike',
    capacity: 2,
  });
  if (rider.status !== 201) throw new Error(`rider: ${rider.status} ${JSON.stringify(rider.body)}`);
  await h.create({
    kind: 'store_staff',
    username: 'clerk.store-a',
    password: PASSWORD,
    stores: { 'store-a': 'clerk' },
  });
  await h.create({ kind: 'rider', username: 'rider.a', password: PASSWORD, riderId: 'rider-a' });
}, 30_000);

afterAll(async () => {
  for (const s of subscriptions) await s.close();
  for (const svc of Object.values(services ?? {})) await svc.stop();
  await h?.stop();
});

const get = async (service: keyof typeof services, token: string, path: string) =>
  client(services[service].url, token).get(path);

describe('identity-issued tokens in the real services', () => {
  it('a clerk of store A is refused on store B in inventory and pickup', async () => {
    const { access } = await h.signIn('clerk.store-a');
    expect((await get('inventory', access, '/v1/locations/store-a/stock')).status).toBe(200);
    expect((await get('inventory', access, '/v1/locations/store-b/stock')).status).toBe(403);
    expect((await get('pickup', access, '/v1/stores/store-a/pickup/tasks')).status).toBe(200);
    expect((await get('pickup', access, '/v1/stores/store-b/pickup/tasks')).status).toBe(403);
  });

  it("rider A is refused on rider B's data in dispatch", async () => {
    const { access } = await h.signIn('rider.a');
    expect((await get('dispatch', access, '/v1/riders/rider-a/shifts')).status).toBe(200);
    expect((await get('dispatch', access, '/v1/riders/rider-b/shifts')).status).toBe(403);
  });

  it('a logged-out token stops working in every service within seconds', async () => {
    const clerk = await h.signIn('clerk.store-a');
    const rider = await h.signIn('rider.a');
    expect((await h.api(clerk.access).post('/v1/auth/logout')).status).toBe(204);
    expect((await h.api(rider.access).post('/v1/auth/logout')).status).toBe(204);
    const refused = async (service: keyof typeof services, token: string, path: string) =>
      waitFor(async () => (await get(service, token, path)).status === 401, {
        timeoutMs: 5_000,
        what: `${service} refusing`,
      });
    await refused('inventory', clerk.access, '/v1/locations/store-a/stock');
    await refused('pickup', clerk.access, '/v1/stores/store-a/pickup/tasks');
    await refused('dispatch', rider.access, '/v1/riders/rider-a/shifts');
  });
});
