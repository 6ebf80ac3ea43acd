import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { api, eventually } from '../src/demo/client';
import { getOrder, placeOrder, skusInStock, waitForStatus, type DemoContext } from '../src/demo/flows';

/**
 * The real `npm start` entry in a child process with a data dir, killed with SIGKILL in the middle
 * of orders and restarted: everything acknowledged before the kill is there, and the flows finish.
 */
const root = resolve(__dirname, '../../..');
const children: ChildProcess[] = [];
let dataDir: string;

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function startOmni(): Promise<{ child: ChildProcess; ctx: DemoContext }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/runtime/src/main.ts'], {
    cwd: root,
    env: { ...process.env, OMNI_DATA_DIR: dataDir, OMNI_PORTS: 'ephemeral', OMNI_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await eventually(
    'omni to start',
    async () =>
      out.includes('Omni is running') || (child.exitCode !== null && Promise.reject(new Error(out))),
    90_000,
  );
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as {
    identity: { tokens: Record<string, string> };
    customers: DemoContext['customers'];
    urls: DemoContext['urls'];
    grpcAddresses: Record<string, string>;
    timelineUrl: string;
  };
  // Every address `npm run demo` needs, from the first start on (ports are ephemeral here).
  expect(Object.keys(demo.grpcAddresses).sort()).toEqual(['catalog', 'customers', 'inventory']);
  for (const a of Object.values(demo.grpcAddresses)) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(demo.timelineUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/timeline$/);
  expect((await fetch(`${demo.urls.identity}/livez`)).status).toBe(200);
  expectOwnerOnly(dataDir);
  return {
    child,
    ctx: {
      urls: demo.urls,
      timelineUrl: demo.timelineUrl,
      tokens: demo.identity.tokens,
      customers: demo.customers,
      log: () => undefined,
    },
  };
}

/** Data at rest (hashes, PII, verifiers, demo tokens, secrets): dirs 0700, files 0600. */
function expectOwnerOnly(dir: string): void {
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  expect(mode(dir), dir).toBe('700');
  const entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['demo.json', 'secrets.json']));
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    expect(mode(path), path).toBe(e.isDirectory() ? '700' : '600');
  }
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

describe('restart mid-flow', () => {
  it('kill -9 during pickups and placements, restart on the same data dir: every order finishes', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'omni-restart-'));
    const first = await startOmni();
    const ctx1 = first.ctx;
    const shopper = ctx1.tokens[`customer:${ctx1.customers[0]!.customerId}`]!;
    const clerk = ctx1.tokens['clerk:S01']!;
    const [item] = await skusInStock(ctx1, 'S01', 3);

    // A: confirmed and being picked when the process dies.
    const a = await placeOrder(ctx1, shopper, {
      lines: [{ sku: item!.sku, qty: 1 }],
      fulfilment: { method: 'pickup', storeId: 'S01' },
      payment: { method: 'card', cardToken: 'tok_demo_visa' },
    });
    await waitForStatus(ctx1, a.id, ['confirmed']);
    const tasks = `${ctx1.urls.pickup}/v1/stores/S01/pickup/tasks`;
    const task = await eventually('task A', async () =>
      (
        await api<{ items: Array<{ taskId: string; orderId: string }> }>('GET', `${tasks}?limit=50`, {
          token: clerk,
        })
      ).items.find((t) => t.orderId === a.id),
    );
    await api('POST', `${tasks}/${task.taskId}/start`, { token: clerk, body: {} });

    // B..F: placed right before the kill, their sagas in flight.
    const inFlight = await Promise.all(
      Array.from({ length: 5 }, () =>
        placeOrder(ctx1, shopper, {
          lines: [{ sku: item!.sku, qty: 1 }],
          fulfilment: { method: 'pickup', storeId: 'S01' },
          payment: { method: 'card', cardToken: 'tok_demo_visa' },
        }).catch(() => null),
      ),
    );
    await kill9(first.child);

    const second = await startOmni();
    const ctx = second.ctx;
    // A continues where it was: picking → ready → collected.
    const tasks2 = `${ctx.urls.pickup}/v1/stores/S01/pickup/tasks`;
    await api('POST', `${tasks2}/${task.taskId}/lines`, { token: clerk, body: { sku: item!.sku, qty: 1 } });
    await api('POST', `${tasks2}/${task.taskId}/ready`, { token: clerk, body: {} });
    const { code } = await api<{ code: string }>('GET', `${ctx.urls.pickup}/v1/orders/${a.id}/pickup`, {
      token: shopper,
    });
    await api('POST', `${tasks2}/${task.taskId}/collect`, { token: clerk, body: { code } });
    expect((await waitForStatus(ctx, a.id, ['collected'])).status).toBe('collected');

    // Every order acknowledged before the kill ends confirmed (its task exists) or failed, never stuck.
    for (const placed of inFlight.filter((p): p is NonNullable<typeof p> => p !== null)) {
      const done = await waitForStatus(ctx, placed.id, ['confirmed', 'failed', 'cancelled'], 30_000);
      if (done.status === 'confirmed') {
        await eventually(`task for ${placed.id}`, async () =>
          (
            await api<{ items: Array<{ orderId: string }> }>('GET', `${tasks2}?limit=100`, { token: clerk })
          ).items.some((t) => t.orderId === placed.id),
        );
      }
    }
    // No reservation leaked: the ledger replays to the levels.
    const report = await api<{ differences: unknown[] }>('POST', `${ctx.urls.inventory}/v1/ops/reconcile`, {
      token: ctx.tokens.ops,
      body: {},
    });
    expect(report.differences).toEqual([]);
    expect((await getOrder(ctx, a.id)).status).toBe('collected');
  }, 240_000);
});
