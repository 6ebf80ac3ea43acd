import { afterEach, describe, expect, it } from 'vitest';
import { clientCredentialsTokenSource, principalFromClaims } from '@omni/kit';
import { decodeJwt } from 'jose';
import { bootstrapClientsFromEnv, bootstrapServiceClients } from '../src';
import { startIdentity, type IdentityHarness } from './harness';

let h: IdentityHarness;
afterEach(async () => h?.stop());

describe('service clients configured by the deployment', () => {
  it('creates them with their scopes and the configured secret; re-keys them when the secret changes', async () => {
    h = await startIdentity();
    const secret = 'orders-secret-0123456789abcdef';
    const first = await bootstrapServiceClients(h.svc.context, {
      orders: { secret, scopes: ['catalog:read', 'inventory:reserve'] },
    });
    expect(first).toEqual([{ clientId: 'orders', created: true, secretChanged: true }]);
    expect(
      await bootstrapServiceClients(h.svc.context, {
        orders: { secret, scopes: ['catalog:read', 'inventory:reserve'] },
      }),
    ).toEqual([{ clientId: 'orders', created: false, secretChanged: false }]);

    const ok = await h.token({
      grant_type: 'client_credentials',
      client_id: 'orders',
      client_secret: secret,
    });
    expect(ok.status).toBe(200);
    expect(principalFromClaims(decodeJwt(String(ok.body.access_token))).scopes).toEqual([
      'catalog:read',
      'inventory:reserve',
    ]);

    await bootstrapServiceClients(h.svc.context, {
      orders: { secret: 'rotated-secret-0123456789abcdef', scopes: ['catalog:read'] },
    });
    expect(
      (await h.token({ grant_type: 'client_credentials', client_id: 'orders', client_secret: secret }))
        .status,
    ).toBe(401);
    await expect(
      bootstrapServiceClients(h.svc.context, { x: { secret: 'short', scopes: [] } }),
    ).rejects.toThrow(/24 characters/);
    // A service that calls nobody gets no client; one asking for account administration gets none either.
    expect(
      await bootstrapServiceClients(h.svc.context, { catalog: { secret: 'c'.repeat(30), scopes: [] } }),
    ).toEqual([]);
    expect(await h.svc.context.collections.accounts.countDocuments({ username: 'catalog' })).toBe(0);
    await expect(
      bootstrapServiceClients(h.svc.context, {
        greedy: { secret: 'g'.repeat(30), scopes: ['catalog:read', 'identity:manage'] },
      }),
    ).rejects.toThrow();
    expect(await h.svc.context.collections.accounts.countDocuments({ username: 'greedy' })).toBe(0);
  });

  it('gives a service its own token through the kit token source, fetched once and cached', async () => {
    h = await startIdentity();
    const secret = 'orders-secret-0123456789abcdef';
    await bootstrapServiceClients(h.svc.context, { orders: { secret, scopes: ['catalog:read'] } });
    const source = clientCredentialsTokenSource({
      identityUrl: h.svc.url,
      clientId: 'orders',
      clientSecret: secret,
    });
    const [a, b] = await Promise.all([source(), source()]);
    expect(a).toBe(b);
    expect(await source()).toBe(a);
    expect(decodeJwt(a).scope).toBe('catalog:read');
    const wrong = clientCredentialsTokenSource({
      identityUrl: h.svc.url,
      clientId: 'orders',
      clientSecret: 'wrong-secret-0123456789abcdef',
    });
    await expect(wrong()).rejects.toMatchObject({ status: 503 });
  });

  it('reads the clients from one Secret key per client, with standard or explicit scopes', () => {
    expect(
      bootstrapClientsFromEnv({
        IDENTITY_CLIENT_ORDERS_SECRET: 'a'.repeat(30),
        IDENTITY_CLIENT_POS_S01_SECRET: 'b'.repeat(30),
        IDENTITY_CLIENT_POS_S01_SCOPES: 'pos:sync  inventory:read',
        IDENTITY_CLIENT_EMPTY_SECRET: '',
        OTHER: 'x',
      }),
    ).toEqual({
      orders: {
        secret: 'a'.repeat(30),
        scopes: ['catalog:read', 'inventory:reserve', 'customers:read', 'customers:write'],
      },
      'pos-s01': { secret: 'b'.repeat(30), scopes: ['pos:sync', 'inventory:read'] },
    });
  });
});
