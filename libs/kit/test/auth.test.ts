import { describe, expect, it } from 'vitest';
import { TestTokenIssuer } from '@omni/testing';
import {
  Authenticator,
  authorize,
  can,
  ForbiddenError,
  RevocationList,
  UnauthorizedError,
  type Principal,
} from '../src';

const base = { stores: {}, scopes: [], amr: [] };
const clerk: Principal = { ...base, sub: 'c', role: 'store_staff', stores: { S1: 'clerk' } };
const manager: Principal = { ...base, sub: 'm', role: 'store_staff', stores: { S1: 'manager', S2: 'clerk' } };
const rider: Principal = { ...base, sub: 'r', role: 'rider', riderId: 'R1' };
const customer: Principal = { ...base, sub: 'u', role: 'customer', customerId: 'C1' };
const pos: Principal = {
  ...base,
  sub: 'pos',
  role: 'service',
  scopes: ['pos:sync'],
  stores: { S1: 'clerk' },
};
const orders: Principal = { ...base, sub: 'orders', role: 'service', scopes: ['inventory:reserve'] };

describe('permission model', () => {
  it('binds store staff to their stores and their role there', () => {
    expect(can(clerk, 'pos:sync', { storeId: 'S1' })).toBe(true);
    expect(can(clerk, 'pos:sync', { storeId: 'S2' })).toBe(false);
    expect(can(clerk, 'inventory:adjust', { storeId: 'S1' })).toBe(false);
    expect(can(manager, 'inventory:adjust', { storeId: 'S1' })).toBe(true);
    expect(can(manager, 'inventory:adjust', { storeId: 'S2' })).toBe(false);
  });
  it('binds riders and customers to themselves', () => {
    expect(can(rider, 'dispatch:ride', { riderId: 'R1' })).toBe(true);
    expect(can(rider, 'dispatch:ride', { riderId: 'R2' })).toBe(false);
    expect(can(customer, 'orders:read:own', { customerId: 'C1' })).toBe(true);
    expect(can(customer, 'orders:read:own', { customerId: 'C2' })).toBe(false);
    expect(can(customer, 'inventory:adjust')).toBe(false);
  });
  it('gives service clients exactly their scopes, bound to their stores if any', () => {
    expect(can(orders, 'inventory:reserve')).toBe(true);
    expect(can(orders, 'inventory:adjust')).toBe(false);
    expect(can(pos, 'pos:sync', { storeId: 'S1' })).toBe(true);
    expect(can(pos, 'pos:sync', { storeId: 'S2' })).toBe(false);
  });
  it('throws 401 without a principal and 403 otherwise', () => {
    expect(() => authorize(null, 'catalog:read')).toThrow(UnauthorizedError);
    expect(() => authorize(clerk, 'inventory:adjust', { storeId: 'S1' })).toThrow(ForbiddenError);
  });
  it('revokes single tokens and everything a subject held before a time', () => {
    const list = new RevocationList();
    list.revokeToken('j1', Date.now() / 1000 + 60);
    list.revokeSubject('u', 1000);
    expect(list.isRevoked({ jti: 'j1', sub: 'x', issuedAt: 5 })).toBe(true);
    expect(list.isRevoked({ jti: 'j2', sub: 'u', issuedAt: 999 })).toBe(true);
    expect(list.isRevoked({ jti: 'j3', sub: 'u', issuedAt: 1001 })).toBe(false);
  });
});

describe('token lifetime', () => {
  it('refuses tokens without exp, with a lifetime above the maximum, or issued in the future', async () => {
    const issuer = await TestTokenIssuer.create();
    const auth = new Authenticator({ ...issuer.authOptions, maxLifetimeSeconds: 3_600 });
    const invalid = { status: 401, slug: 'token-invalid' };

    await expect(auth.verify(await issuer.sign({ role: 'ops', expiresIn: null }))).rejects.toMatchObject(
      invalid,
    );
    await expect(auth.verify(await issuer.sign({ role: 'ops', expiresIn: 3_601 }))).rejects.toMatchObject(
      invalid,
    );
    await expect(
      auth.verify(await issuer.sign({ role: 'ops', issuedAtOffset: 3_600, expiresIn: 3_900 })),
    ).rejects.toMatchObject(invalid);

    // Within the bounds: a small clock skew and the longest lifetime pass.
    await expect(
      auth.verify(await issuer.sign({ role: 'ops', issuedAtOffset: 30, expiresIn: 600 })),
    ).resolves.toMatchObject({ role: 'ops' });
    await expect(auth.verify(await issuer.sign({ role: 'ops', expiresIn: 3_600 }))).resolves.toMatchObject({
      role: 'ops',
    });
  });

  it('accepts the 30-day demo tokens identity issues by default', async () => {
    const issuer = await TestTokenIssuer.create();
    const auth = new Authenticator(issuer.authOptions);
    const token = await issuer.sign({ role: 'rider', riderId: 'R1', expiresIn: 30 * 86_400 });
    await expect(auth.verify(token)).resolves.toMatchObject({ riderId: 'R1' });
    await expect(
      auth.verify(await issuer.sign({ role: 'rider', riderId: 'R1', expiresIn: 40 * 86_400 })),
    ).rejects.toMatchObject({ status: 401 });
  });
});
