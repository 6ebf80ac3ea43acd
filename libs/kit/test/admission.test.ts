import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '@omni/store';
import { createEmbeddedBus } from '@omni/events';
import { TestTokenIssuer, waitFor } from '@omni/testing';
import { createService, type AdmissionOptions, type Service } from '../src';

let issuer: TestTokenIssuer;
let svc: Service | null = null;
let release: () => void = () => undefined;

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
});
afterEach(async () => {
  release();
  await svc?.stop();
  svc = null;
});

/** A kit service with a quick route and one that holds its answer until the test releases it. */
async function start(admission: AdmissionOptions): Promise<Service> {
  const s = createService({
    name: 'admission',
    store: createEmbeddedStore(),
    bus: createEmbeddedBus(),
    auth: issuer.authOptions,
    logLevel: 'silent',
    grpc: false,
    http: { host: '127.0.0.1', port: 0 },
    admission,
  });
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  s.app.get('/v1/ping', { config: { public: true } }, async () => ({ ok: true }));
  s.app.get('/v1/slow', { config: { public: true } }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { ok: true };
  });
  s.app.get('/v1/hold', { config: { public: true } }, async () => {
    await held;
    return { ok: true };
  });
  await s.start();
  svc = s;
  return s;
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is blocked, as by a long synchronous computation
  }
}

async function metricValue(s: Service, outcome: string, reason: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('http_admission_total{') &&
        l.includes(`outcome="${outcome}"`) &&
        l.includes(`reason="${reason}"`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('overload admission', () => {
  it('refuses with 503 and Retry-After while the event loop is blocked, serves ops routes, and recovers', async () => {
    const s = await start({ maxLoopDelayMs: 50, sampleMs: 10 });
    expect((await fetch(`${s.url}/v1/ping`)).status).toBe(200);

    // Block the loop again and again (a long synchronous job) until a request is refused.
    const blocker = setInterval(() => busyWait(150), 1);
    let refused: Response | null = null;
    let livez = 0;
    try {
      for (let attempt = 0; attempt < 100 && !refused; attempt++) {
        const res = await fetch(`${s.url}/v1/ping`);
        if (res.status === 503) refused = res;
        else await res.arrayBuffer();
      }
      livez = (await fetch(`${s.url}/livez`)).status;
    } finally {
      clearInterval(blocker);
    }
    expect(refused).not.toBeNull();
    expect(refused!.headers.get('retry-after')).toBe('1');
    expect(refused!.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused!.json()) as { status: number; type: string; title: string };
    expect(problem.status).toBe(503);
    expect(problem.type.endsWith('/overloaded')).toBe(true);
    expect(livez).toBe(200);

    // The loop is free again: requests are admitted.
    await waitFor(async () => (await fetch(`${s.url}/v1/ping`)).status === 200, {
      what: 'admission after the loop recovered',
    });
    expect(await metricValue(s, 'refused', 'loop-delay')).toBeGreaterThan(0);
    expect(await metricValue(s, 'admitted', '')).toBeGreaterThan(0);
  });

  it('refuses past the in-flight limit and admits again once a request finished', async () => {
    const s = await start({ maxInFlight: 2 });
    const first = fetch(`${s.url}/v1/hold`);
    const second = fetch(`${s.url}/v1/hold`);
    await waitFor(() => s.admission.inFlight() === 2, { what: 'two requests in flight' });

    const third = await fetch(`${s.url}/v1/ping`);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    const problem = (await third.json()) as { type: string; detail: string };
    expect(problem.type.endsWith('/overloaded')).toBe(true);
    // Ops routes are never refused.
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);

    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    await waitFor(() => s.admission.inFlight() === 0, { what: 'no request in flight' });
    expect((await fetch(`${s.url}/v1/ping`)).status).toBe(200);
    expect(await metricValue(s, 'refused', 'in-flight')).toBe(1);
  });

  it('with a target latency, slow responses cut the in-flight limit and the excess is refused', async () => {
    const s = await start({ targetLatencyMs: 20, maxInFlight: 50, minInFlight: 1 });
    expect(s.admission.limit()).toBe(50);
    // One response far slower than the target (it is held past it by construction).
    const held = fetch(`${s.url}/v1/hold`);
    await waitFor(() => s.admission.inFlight() === 1, { what: 'the held request in flight' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    release();
    expect((await held).status).toBe(200);
    expect(s.admission.limit()).toBe(1);

    // The limit is now one request: a second one while the first runs is refused at once.
    const running = fetch(`${s.url}/v1/slow`);
    await waitFor(() => s.admission.inFlight() === 1, { what: 'one request in flight' });
    const refused = await fetch(`${s.url}/v1/ping`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await running).status).toBe(200);
    expect(await metricValue(s, 'refused', 'in-flight')).toBe(1);
  });
});
