import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, TestTokenIssuer, waitFor } from '@omni/testing';
import { FakeCatalog } from './support/fake-catalog';
import { FakeCustomers } from './support/fake-customers';
import { FakeInventory } from './support/fake-inventory';
import { ADDRESS, seedWorld } from './support/harness';

/**
 * Crash test: the orders process is killed with SIGKILL while 30 sagas wait on a payment provider
 * that never answers, then started again on the same data directory. Every order must end confirmed
 * or compensated, and inventory must hold exactly the reservations of confirmed orders.
 */

const script = fileURLToPath(new URL('./support/orders-process.ts', import.meta.url));

let issuer: TestTokenIssuer;
let inventory: FakeInventory;
let catalog: FakeCatalog;
let customers: FakeCustomers;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  [inventory, catalog, customers] = await Promise.all([
    FakeInventory.start(issuer),
    FakeCatalog.start(issuer),
    FakeCustomers.start(issuer),
  ]);
  seedWorld(inventory, catalog, customers);
  dir = await mkdtemp(join(tmpdir(), 'orders-crash-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([inventory?.close(), catalog?.close(), customers?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startOrders(hang: boolean): Promise<{ child: ChildProcess; url: string }> {
  const token = await issuer.service(
    'orders',
    'catalog:read inventory:read inventory:reserve customers:read customers:write',
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      ORDERS_TEST_DIR: dir,
      ORDERS_TEST_JWKS: JSON.stringify(issuer.jwks),
      ORDERS_TEST_TOKEN: token,
      ORDERS_TEST_CATALOG: catalog.address,
      ORDERS_TEST_INVENTORY: inventory.address,
      ORDERS_TEST_CUSTOMERS: customers.address,
      ORDERS_TEST_PAYMENT_HANG: hang ? '1' : '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`orders process exited with ${code}: ${stderr}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

describe('crash in the middle of sagas', () => {
  it('kill -9 while payments hang, restart on the same data dir: every order confirmed or compensated, no reservation leaks', async () => {
    const first = await startOrders(true);
    const ops = await issuer.ops();
    const requests = Array.from({ length: 30 }, (_, i) => ({
      key: `crash-${i}`,
      body: {
        customerId: i % 3 === 0 ? 'C1' : 'C2',
        lines: [{ sku: i % 2 ? 'TEE' : 'MUG', qty: 1 + (i % 3) }],
        fulfilment: { method: 'ship', address: ADDRESS },
        payment: { method: 'card', cardToken: i % 4 === 0 ? 'tok_decline' : 'tok_visa' },
        ...(i % 3 === 0 ? { pointsToRedeem: 10, memberProof: { memberCard: 'CARD-C1' } } : {}),
      },
    }));
    const pointsBefore = customers.points('C1');
    const placed = await Promise.all(
      requests.map((r) =>
        client(first.url, ops).post<{ id: string; status: string }>('/v1/orders', r.body, {
          headers: { 'idempotency-key': r.key },
        }),
      ),
    );
    // The answers come before payment (202): the sagas are stuck authorising.
    expect(placed.map((p) => p.status)).toEqual(requests.map(() => 202));
    const ids = placed.map((p) => p.body.id);
    await waitFor(() => inventory.activeReservations().length === 30 || undefined, {
      what: '30 reservations',
    });
    await waitFor(() => customers.calls.redeem >= 10 || undefined, { what: 'points redeemed' });

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startOrders(false);
    const api = client(second.url, ops);
    const final = await waitFor(
      async () => {
        const views = await Promise.all(
          ids.map((id) => api.get<{ id: string; status: string; processing?: string }>(`/v1/orders/${id}`)),
        );
        return views.every(
          (v) => v.status === 200 && ['confirmed', 'failed'].includes(v.body.status) && !v.body.processing,
        )
          ? views.map((v) => v.body)
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'every order settled after the restart' },
    );
    const confirmed = final.filter((o) => o.status === 'confirmed').map((o) => o.id);
    const failed = final.filter((o) => o.status === 'failed').map((o) => o.id);
    const declined = requests.filter((_, i) => i % 4 === 0).length;
    expect(failed.length).toBe(declined);
    expect(confirmed.length).toBe(30 - declined);

    // No leaks: what inventory holds reserved is exactly the active reservations of confirmed orders.
    const live = new Set(confirmed);
    expect(inventory.reservedTotal()).toBe(inventory.activeUnits());
    expect(inventory.activeReservations().every((r) => live.has(r.orderId))).toBe(true);
    expect(inventory.activeReservations().length).toBe(confirmed.length);
    // Points of failed orders came back; confirmed ones stay spent.
    const spentByConfirmed = requests.filter((r, i) => i % 3 === 0 && live.has(ids[i]!)).length * 10;
    expect(customers.points('C1')).toBe(pointsBefore - spentByConfirmed);

    // The same Idempotency-Keys after the crash land on the same orders, with no new reservation.
    const retried = await Promise.all(
      requests
        .slice(0, 5)
        .map((r) =>
          api.post<{ id: string }>('/v1/orders', r.body, { headers: { 'idempotency-key': r.key } }),
        ),
    );
    expect(retried.map((r) => r.body.id ?? (r.body as { orderId?: string }).orderId)).toEqual(
      ids.slice(0, 5),
    );
    expect(inventory.activeReservations().length).toBe(confirmed.length);

    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
