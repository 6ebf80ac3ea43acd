import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '@omni/testing';
import { OrderCancelled } from '@omni/contracts';
import type { ServerMessage } from '../src';
import { CENTER, Harness, at } from './harness';

let h: Harness;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await h?.stop();
});

const S1 = { storeId: 'S1', geo: CENTER };

/** A rider's socket that records every message, with a way to wait for one. */
async function connect(url: string, opts: { token?: string; query?: boolean } = {}) {
  const wsUrl =
    url.replace('http', 'ws') +
    '/v1/riders/me/ws' +
    (opts.query && opts.token ? `?access_token=${opts.token}` : '');
  const socket = new WebSocket(wsUrl, {
    headers: !opts.query && opts.token ? { authorization: `Bearer ${opts.token}` } : {},
  });
  sockets.push(socket);
  const messages: ServerMessage[] = [];
  socket.on('message', (raw) => messages.push(JSON.parse(String(raw)) as ServerMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
  const next = <T extends ServerMessage['type']>(
    type: T,
    pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ) =>
    waitFor(
      () =>
        messages.find(
          (m): m is Extract<ServerMessage, { type: T }> =>
            m.type === type && pred(m as Extract<ServerMessage, { type: T }>),
        ),
      { what: `${type} message`, timeoutMs: 5_000 },
    );
  const send = (m: Record<string, unknown>) => socket.send(JSON.stringify(m));
  return { socket, messages, next, send };
}

describe('rider WebSocket', () => {
  it('refuses a connection without a valid rider token', async () => {
    h = await Harness.start();
    await expect(connect(h.url)).rejects.toThrow('HTTP 401');
    await expect(connect(h.url, { token: 'not-a-jwt', query: true })).rejects.toThrow('HTTP 401');
    await expect(connect(h.url, { token: await h.issuer.ops() })).rejects.toThrow('HTTP 403');
    await expect(connect(h.url, { token: await h.issuer.rider('nobody') })).rejects.toThrow('HTTP 404');
  });

  it('pushes offers, takes accept and location over the socket (token in the query string)', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    const api = await h.onDutyRider('R1', at(0.3, 0));
    const ws = await connect(h.url, { token: await h.issuer.rider('R1'), query: true });
    expect(await ws.next('hello')).toMatchObject({
      riderId: 'R1',
      status: 'idle',
      onDuty: true,
      offer: null,
    });

    ws.send({ type: 'location', id: 'loc-1', lat: at(0.2, 0).lat, lng: at(0.2, 0).lng });
    await ws.next('ack', (m) => m.id === 'loc-1');
    expect(h.svc.board.get('R1')?.location).toEqual(at(0.2, 0));

    const { orderId, jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    const pushed = await ws.next('offer');
    expect(pushed.offer).toMatchObject({
      jobId,
      orderId,
      storeId: 'S1',
      pickup: CENTER,
      dropoff: at(0, 2),
      batched: false,
      late: false,
    });
    expect(Date.parse(pushed.offer.expiresAt)).toBe(h.clock + 30_000);

    ws.send({ type: 'offer.accept', id: 'acc-1', jobId });
    const ack = await ws.next('ack', (m) => m.id === 'acc-1');
    expect(ack.result).toMatchObject({ id: jobId, status: 'assigned' });
    expect((await api.get('/v1/riders/me')).body).toMatchObject({ status: 'to_store', jobIds: [jobId] });

    ws.send({ type: 'ping', id: 'p' });
    await ws.next('pong', (m) => m.id === 'p');
  });

  it('keeps a socket with a long-lived token open (expiry beyond the 24.8-day timer limit)', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    await h.onDutyRider('R1', at(0.3, 0));
    const token = await h.issuer.sign({
      role: 'rider',
      sub: 'rider-account-R1',
      riderId: 'R1',
      expiresIn: 30 * 24 * 3600,
    });
    const ws = await connect(h.url, { token, query: true });
    await ws.next('hello');
    await new Promise((r) => setTimeout(r, 100));
    expect(ws.socket.readyState).toBe(WebSocket.OPEN);
    ws.send({ type: 'ping', id: 'still-here' });
    await ws.next('pong', (m) => m.id === 'still-here');
  });

  it('answers bad messages and foreign jobs with errors, and keeps going', async () => {
    h = await Harness.start();
    await h.zone('Z1', CENTER, [S1]);
    await h.onDutyRider('A', at(8, 8));
    const b = await h.onDutyRider('B', at(0.3, 0));
    const { jobId } = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    expect(await h.offerOf(b)).toMatchObject({ jobId });
    const ws = await connect(h.url, { token: await h.issuer.rider('A') });
    await ws.next('hello');
    ws.socket.send('not json');
    expect((await ws.next('error')).problem).toMatchObject({ status: 400 });
    ws.send({ type: 'location', id: 'bad-loc', lat: 200, lng: 0 });
    expect((await ws.next('error', (m) => m.id === 'bad-loc')).problem).toMatchObject({ status: 400 });
    ws.send({ type: 'offer.accept', id: 'steal', jobId });
    expect((await ws.next('error', (m) => m.id === 'steal')).problem).toMatchObject({ status: 404 });
    expect(await h.job(jobId)).toMatchObject({ status: 'offered', offer: { riderId: 'B' } });
    ws.send({ type: 'ping', id: 'still-alive' });
    await ws.next('pong', (m) => m.id === 'still-alive');
  });

  it('tells the rider when an offer lapses or is withdrawn, and declines over the socket', async () => {
    h = await Harness.start({ offerTimeoutMs: 30_000 });
    await h.zone('Z1', CENTER, [S1]);
    await h.onDutyRider('R1', at(0.3, 0));
    const other = await h.onDutyRider('R2', at(1, 0));
    const ws = await connect(h.url, { token: await h.issuer.rider('R1') });
    await ws.next('hello');

    const first = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await ws.next('offer', (m) => m.offer.jobId === first.jobId);
    await h.svc.dispatch.tick(h.advance(31_000));
    await ws.next('offer.expired', (m) => m.jobId === first.jobId);
    expect(await h.offerOf(other)).toMatchObject({ jobId: first.jobId });

    await h.locate(await h.rider('R1'), at(0.3, 0));
    const second = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await ws.next('offer', (m) => m.offer.jobId === second.jobId);
    await h.publish(OrderCancelled, second.orderId, { orderId: second.orderId, reason: 'customer' });
    await ws.next('offer.withdrawn', (m) => m.jobId === second.jobId);

    const third = await h.readyJob({ storeId: 'S1', destination: at(0, 2) });
    await ws.next('offer', (m) => m.offer.jobId === third.jobId);
    ws.send({ type: 'offer.decline', id: 'no', jobId: third.jobId });
    await ws.next('ack', (m) => m.id === 'no');
    expect((await h.job(third.jobId)).excludedRiderIds).toEqual(['R1']);
  });
});
