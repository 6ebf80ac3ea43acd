import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seedDemo, startReplicaBed, type ReplicaBed } from '../../src';
import { api, eventually } from '../../src/demo/client';
import { randomUUID } from 'node:crypto';
import {
  deliveryStory,
  getOrder,
  lateSyncStory,
  pickupStory,
  placeOrder,
  voucherStory,
  skusInStock,
  waitForStatus,
  type DemoContext,
} from '../../src/demo/flows';
import { demoRiders } from '../../src/demo/city';
import type { DispatchService } from '@omni/dispatch';
import type { Service } from '@omni/kit';

/**
 * The replica bed: every service as 3 replicas over one store per service and one bus, behind
 * round-robin balancers, each non-identity service verifying tokens as its main.ts does. The O2O
 * flows, cross-replica pushes, revocations and sockets of disabled accounts are checked here.
 */
let bed: ReplicaBed;
let ctx: DemoContext;
let ops: string;

beforeAll(async () => {
  bed = await startReplicaBed({ fastTimers: true });
  const demo = await seedDemo(bed.seedTarget);
  ctx = {
    urls: bed.urls,
    timelineUrl: bed.timelineUrl,
    tokens: demo.identity.tokens,
    customers: demo.customers,
    log: () => undefined,
  };
  ops = demo.identity.tokens.ops!;
}, 120_000);
afterAll(async () => bed?.stop());

const subOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

function openSocket(
  url: string,
  token: string,
): Promise<{
  ws: WebSocket;
  frames: Array<{ type: string }>;
  closed: Promise<{ code: number; reason: string }>;
}> {
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}/v1/riders/me/ws?access_token=${encodeURIComponent(token)}`,
  );
  const frames: Array<{ type: string }> = [];
  ws.on('message', (raw) => frames.push(JSON.parse(String(raw)) as { type: string }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

const dispatchReplicas = (): DispatchService[] => bed.replicas.dispatch as DispatchService[];

describe('O2O flows on 3 replicas per service', () => {
  it('buy online, pick up in store', async () => {
    const orderId = await pickupStory(ctx);
    expect((await getOrder(ctx, orderId)).status).toBe('collected');
  });

  it('one-hour delivery with a rider on a WebSocket, whichever replica makes the offer', async () => {
    const orderId = await deliveryStory(ctx);
    expect((await getOrder(ctx, orderId)).status).toBe('delivered');
  });

  it('a late POS sale re-routes an online order', async () => {
    const orderId = await lateSyncStory(ctx, 'S03');
    const order = await getOrder(ctx, orderId);
    expect(order.status).toBe('confirmed');
    expect(order.route?.locationId).not.toBe('S03');
  });

  it('the ledger replays to exactly the stock levels', async () => {
    const report = await api<{ differences: unknown[] }>('POST', `${bed.urls.inventory}/v1/ops/reconcile`, {
      token: ops,
      body: {},
    });
    expect(report.differences).toEqual([]);
  });
});

describe('pushes and revocations across replicas', () => {
  it('a push made on replica B reaches the rider socket held by replica A', async () => {
    const rider = demoRiders(50)[10]!;
    const token = ctx.tokens[`rider:${rider.id}`]!;
    const [a, b] = dispatchReplicas();
    const sock = await openSocket(a!.url, token);
    try {
      await eventually('hello', async () => sock.frames.find((f) => f.type === 'hello'));
      expect(a!.hub.connections).toBeGreaterThan(0);
      expect(b!.hub.connections).toBe(0);
      b!.ctx.push.send(rider.id, { type: 'job.ready', jobId: 'job-x' });
      const ready = await eventually('the ready notice', async () =>
        sock.frames.find((f) => f.type === 'job.ready'),
      );
      expect(ready).toMatchObject({ type: 'job.ready', jobId: 'job-x' });
    } finally {
      sock.ws.close();
    }
  });

  it('a revoked token is refused by every service, each verifying as its main.ts does', async () => {
    // A clerk no other test here uses (revocation is for good).
    const victim = ctx.tokens['clerk:S08']!;
    const probes: Record<string, string> = {
      catalog: '/v1/products?limit=1',
      inventory: '/v1/locations',
      customers: '/v1/customers?limit=1',
      orders: '/v1/orders?limit=1',
      pickup: '/v1/stores/S08/pickup',
      dispatch: '/v1/stores/S08/delivery-jobs?limit=1',
    };
    const status = async (svc: string, path: string, replica: Service): Promise<number> =>
      (await fetch(`${replica.url}${path}`, { headers: { authorization: `Bearer ${victim}` } })).status;
    for (const [svc, path] of Object.entries(probes))
      expect(await status(svc, path, bed.replicas[svc as 'catalog'][0]!), svc).not.toBe(401);
    await api('POST', `${bed.urls.identity}/v1/accounts/${subOf(victim)}/revoke-tokens`, {
      token: ops,
      body: {},
    });
    for (const [svc, path] of Object.entries(probes)) {
      for (const replica of bed.replicas[svc as 'catalog']) {
        await eventually(`${svc} refuses the revoked token`, async () =>
          (await status(svc, path, replica)) === 401 ? true : undefined,
        );
      }
    }
  });

  it("disabling a rider's account closes its open sockets on every replica at once", async () => {
    const rider = demoRiders(50)[11]!;
    const token = ctx.tokens[`rider:${rider.id}`]!;
    const sockets = await Promise.all(dispatchReplicas().map((r) => openSocket(r.url, token)));
    await api('POST', `${bed.urls.identity}/v1/accounts/${subOf(token)}/disable`, { token: ops, body: {} });
    const open = new Promise<{ code: number; reason: string }>((resolve) =>
      setTimeout(() => resolve({ code: 0, reason: 'still open after 10 s' }), 10_000).unref(),
    );
    const closes = await Promise.all(sockets.map((s) => Promise.race([s.closed, open])));
    for (const s of sockets) s.ws.terminate();
    for (const c of closes) expect(c).toEqual({ code: 4003, reason: 'token revoked' });
  });
});

/** `job_runs_total{job,outcome}` of one replica, from its /metrics. */
async function metric(replica: Service, name: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line ? Number(line.split(' ').pop()) : 0;
}
const jobRuns = (replica: Service, job: string, outcome: string): Promise<number> =>
  metric(replica, 'job_runs_total', `job="${job}"`, `outcome="${outcome}"`);

describe('concurrency on 3 replicas', () => {
  it('parallel reservations of a hot SKU through all replicas never oversell; one lease holder expires them, each once', async () => {
    const [hot] = await skusInStock(ctx, 'S06', 3, 40, 1);
    const available = hot!.available;
    const attempts = available * 2 + 6;
    const results = await Promise.all(
      Array.from({ length: attempts }, async () => {
        const res = await fetch(`${bed.urls.inventory}/v1/reservations`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${ops}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({ locationId: 'S06', lines: [{ sku: hot!.sku, qty: 1 }], ttlSeconds: 1 }),
        });
        return { status: res.status, body: (await res.json()) as { id?: string; reservationId?: string } };
      }),
    );
    const won = results.filter((r) => r.status === 201);
    expect(won.length).toBe(available);
    expect(results.filter((r) => r.status !== 201 && r.status !== 422)).toEqual([]);
    // The TTL passes: the one lease holder expires every reservation, exactly once each.
    const ids = won.map((r) => r.body.id ?? r.body.reservationId);
    for (const id of ids) {
      await eventually(`reservation ${id} expired`, async () => {
        const r = await api<{ status: string }>('GET', `${bed.urls.inventory}/v1/reservations/${id}`, {
          token: ops,
        });
        return r.status === 'expired' ? true : undefined;
      });
    }
    // One lease holder at a time. (Which replica ran it may change: a holder starved of CPU for
    // longer than the lease hands over to another, fenced — never two at once.)
    const runs = await Promise.all(bed.replicas.inventory.map((r) => jobRuns(r, 'reservation-expiry', 'ok')));
    expect(runs.some((n) => n > 0)).toBe(true);
    const held = await Promise.all(
      bed.replicas.inventory.map((r) => metric(r, 'job_lease_held', 'job="reservation-expiry"')),
    );
    expect(held.reduce((a, b) => a + b, 0)).toBe(1);
    const report = await api<{ differences: unknown[] }>('POST', `${bed.urls.inventory}/v1/ops/reconcile`, {
      token: ops,
      body: {},
    });
    expect(report.differences).toEqual([]);
  });
});

describe('vouchers on 3 replicas', () => {
  it('the voucher story, and one code at two counters on two replicas at once: exactly one redemption', async () => {
    const storyOrder = await voucherStory(ctx);
    expect((await getOrder(ctx, storyOrder)).status).toBe('confirmed');
    const c = ctx.customers[0]!;
    const shopper = ctx.tokens[`customer:${c.customerId}`]!;
    const placed = await placeOrder(ctx, shopper, {
      lines: [{ sku: 'VCH-COFFEE-CAKE', qty: 10 }],
      fulfilment: { method: 'voucher' },
      payment: { method: 'card', cardToken: 'tok_visa' },
    });
    await waitForStatus(ctx, placed.id, ['confirmed']);
    const vouchers = await eventually('ten vouchers', async () => {
      const res = await api<{ items?: Array<{ voucherId: string; code: string }> }>(
        'GET',
        `${bed.urls.vouchers}/v1/orders/${placed.id}/vouchers`,
        { token: shopper, ok: (st) => st === 200 || st === 404 },
      );
      return res.items?.length === 10 ? res.items : undefined;
    });
    const [a, b] = bed.replicas.vouchers.map((r) => `http://127.0.0.1:${(r as unknown as Service).httpPort}`);
    const redeemAt = async (base: string, storeId: string, code: string) => {
      const res = await fetch(`${base}/v1/stores/${storeId}/vouchers/redemptions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ctx.tokens[`clerk:${storeId}`]!}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ code }),
      });
      await res.arrayBuffer();
      return res.status;
    };
    const pairs = await Promise.all(
      vouchers.map((v) => Promise.all([redeemAt(a!, 'S01', v.code), redeemAt(b!, 'S02', v.code)])),
    );
    for (const pair of pairs) expect([...pair].sort()).toEqual([201, 409]);
  });
});

describe('kill one replica mid-flow', () => {
  it('orders and dispatch each lose a replica while orders are in flight: every flow still completes', async () => {
    const shoppers = ctx.customers.slice(2, 8);
    const [item] = await skusInStock(ctx, 'S02', shoppers.length + 2, Infinity, 1);
    const placing = shoppers.map(async (c) => {
      const placed = await placeOrder(ctx, ctx.tokens[`customer:${c.customerId}`]!, {
        lines: [{ sku: item!.sku, qty: 1 }],
        fulfilment: { method: 'pickup', storeId: 'S02' },
        payment: { method: 'card', cardToken: 'tok_visa' },
      });
      return placed.id;
    });
    const delivery = deliveryStory(ctx);
    await new Promise((r) => setTimeout(r, 150));
    // The demo's rider client does not reconnect, so the dispatch replica killed is one without its socket.
    const victim = dispatchReplicas().findIndex((r) => r.hub.connections === 0);
    await Promise.all([bed.kill('orders', 1), bed.kill('dispatch', victim)]);
    const ids = await Promise.all(placing);
    for (const id of ids)
      expect((await waitForStatus(ctx, id, ['confirmed'], 30_000)).status).toBe('confirmed');
    const deliveredId = await delivery;
    expect((await getOrder(ctx, deliveredId)).status).toBe('delivered');
    // After the kill the survivors serve everything, including a fresh pickup.
    const again = await pickupStory(ctx, 'S01');
    expect((await getOrder(ctx, again)).status).toBe('collected');
  });
});
