import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookNotifier, type CustomerNotification } from '../src';
import { WebhookError } from '../src/notifications/webhook-notifier';
import { placeTask, startPickup, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startPickup();
});
afterAll(async () => h?.stop());

describe('GET /v1/orders/{orderId}/pickup (the customer)', () => {
  it("shows the order's customer their code and QR; nobody else but ops", async () => {
    const task = await placeTask(h, 'store-cust', { customerId: 'cust-42' });
    const mine = await h
      .api(await h.deps.issuer.customer('cust-42'))
      .get(`/v1/orders/${task.orderId}/pickup`);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(mine.body).toMatchObject({
      orderId: task.orderId,
      taskId: task._id,
      storeId: 'store-cust',
      state: 'queued',
      locked: false,
    });
    expect(mine.body.code).toMatch(/^[0-9]{6}$/);
    expect(h.svc.codes.verifyQr(String(mine.body.qr), h.clock.now())).toMatchObject({
      ok: true,
      claims: { taskId: task._id, code: mine.body.code },
    });

    expect(
      (await h.api(await h.deps.issuer.customer('cust-7')).get(`/v1/orders/${task.orderId}/pickup`)).status,
    ).toBe(403);
    expect(
      (await (await h.staff('store-cust', 'manager')).get(`/v1/orders/${task.orderId}/pickup`)).status,
    ).toBe(403);
    expect((await h.api().get(`/v1/orders/${task.orderId}/pickup`)).status).toBe(401);
    expect(
      (await h.api(await h.deps.issuer.ops()).get(`/v1/orders/${task.orderId}/pickup`)).body,
    ).toMatchObject({ code: mine.body.code });
    expect(
      (await h.api(await h.deps.issuer.customer('cust-42')).get('/v1/orders/unknown/pickup')).status,
    ).toBe(404);
  });

  it("a guest order's code is not shown to any customer", async () => {
    const task = await placeTask(h, 'store-cust', { customerId: undefined });
    expect(
      (await h.api(await h.deps.issuer.customer('cust-1')).get(`/v1/orders/${task.orderId}/pickup`)).status,
    ).toBe(403);
  });
});

describe('webhook notifier', () => {
  let server: Server;
  let url: string;
  const received: Array<{ body: string; headers: IncomingMessage['headers'] }> = [];
  let script: Array<number | 'hang'> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        const next = script.shift() ?? 200;
        if (next === 'hang') return; // never answers: the client times out
        res.writeHead(next).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const n: CustomerNotification = {
    id: 't1:ready',
    kind: 'ready',
    orderId: 'o1',
    taskId: 't1',
    storeId: 's1',
    customerId: 'c1',
    holdUntil: '2030-01-01T00:00:00.000Z',
  };

  it('posts signed JSON and retries 5xx and timeouts within its attempts', async () => {
    received.length = 0;
    script = [503, 'hang', 200];
    const notifier = new WebhookNotifier({
      url,
      secret: 'webhook-secret-0123',
      attempts: 3,
      backoffMs: 10,
      timeoutMs: 200,
    });
    await notifier.send(n);
    expect(received).toHaveLength(3);
    const last = received[2]!;
    expect(JSON.parse(last.body)).toEqual({ type: 'pickup.ready', ...n });
    expect(last.headers['idempotency-key']).toBe('t1:ready');
    expect(last.headers['x-omni-signature']).toBe(
      `sha256=${createHmac('sha256', 'webhook-secret-0123').update(last.body).digest('hex')}`,
    );
  });

  it('gives up at once on a 4xx and after its attempts on repeated failures', async () => {
    received.length = 0;
    script = [400];
    const notifier = new WebhookNotifier({ url, attempts: 3, backoffMs: 10, timeoutMs: 200 });
    await expect(notifier.send(n)).rejects.toMatchObject({ retryable: false });
    expect(received).toHaveLength(1);
    script = [500, 500, 500];
    const err = await notifier.send(n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ retryable: true, message: 'webhook answered 500' });
    expect(received).toHaveLength(4);
  });
});

describe('secrecy of codes', () => {
  it('never writes a pickup code into the logs, even at debug level', async () => {
    const lines: string[] = [];
    const logged = await startPickup({
      logLevel: 'trace',
      logDestination: { write: (s: string) => void lines.push(s) },
    });
    try {
      const task = await placeTask(logged, 'store-log');
      const api = await logged.staff('store-log');
      const base = `/v1/stores/store-log/pickup/tasks/${task._id}`;
      await api.post(`${base}/start`);
      for (const l of task.lines) await api.post(`${base}/lines`, { sku: l.sku, qty: l.qty });
      await api.post(`${base}/ready`);
      const view = await logged
        .api(await logged.deps.issuer.customer('cust-1'))
        .get<{ code: string; qr: string }>(`/v1/orders/${task.orderId}/pickup`);
      const wrong = view.body.code === '000000' ? '000001' : '000000';
      await api.post(`${base}/collect`, { code: wrong });
      await api.post(`${base}/collect`, { code: view.body.code });
      await logged.svc.deliverNotifications();
      const all = lines.join('\n');
      expect(lines.length).toBeGreaterThan(10);
      expect(all).not.toContain(view.body.code);
      expect(all).not.toContain(view.body.qr.split('.')[1]);
      expect(all).not.toContain(task.code.hash);
    } finally {
      await logged.stop();
    }
  });
});
