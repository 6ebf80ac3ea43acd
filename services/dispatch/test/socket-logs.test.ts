import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createTestDeps } from '@omni/testing';
import { buildDispatchService, type DispatchService } from '../src';
import type { TestTokenIssuer } from '@omni/testing';

/** Rider apps in browsers send their token as `?access_token=`: a rejected upgrade must not log it. */
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    cb();
  },
});

let svc: DispatchService;
let issuer: TestTokenIssuer;
beforeAll(async () => {
  const deps = await createTestDeps();
  issuer = deps.issuer;
  svc = buildDispatchService({
    store: deps.store,
    bus: deps.bus,
    auth: deps.auth,
    logLevel: 'trace',
    logDestination: sink,
    settings: { tickMs: 0, resyncMs: 0 },
  });
  await svc.start();
});
afterAll(async () => svc?.stop());

function upgrade(query: string): Promise<number> {
  const socket = new WebSocket(`${svc.url.replace('http', 'ws')}/v1/riders/me/ws${query}`);
  return new Promise((resolve, reject) => {
    socket.on('error', () => undefined); // the aborted handshake, expected
    socket.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    socket.once('open', () => reject(new Error('upgrade was accepted')));
  });
}

describe('rejected rider socket upgrades', () => {
  it('never write the access token of the URL to the log', async () => {
    const ops = await issuer.ops(); // valid, but not a rider: 403
    const unknownRider = await issuer.rider('nobody'); // 404
    const expired = await issuer.sign({ role: 'rider', riderId: 'R1', expiresIn: -60 }); // 401
    expect(await upgrade(`?access_token=${ops}`)).toBe(403);
    expect(await upgrade(`?access_token=${unknownRider}`)).toBe(404);
    expect(await upgrade(`?access_token=${expired}&code=424242`)).toBe(401);
    const logged = lines.join('\n');
    expect(logged).toContain('/v1/riders/me/ws?access_token=[redacted]');
    for (const secret of [ops, unknownRider, expired, '424242']) expect(logged).not.toContain(secret);
    // The signature alone would let a reader re-assemble nothing, but no part of a token is logged.
    for (const t of [ops, unknownRider, expired]) expect(logged).not.toContain(t.split('.')[2]);
  });
});
