import { afterEach, describe, expect, it } from 'vitest';
import { TokenRevoked } from '@omni/contracts';
import { createEmbeddedBus, createEvent, defineEvent, toBusMessage, type EventBus } from '@omni/events';
import { createEmbeddedStore } from '@omni/store';
import { TestTokenIssuer, client, waitFor } from '@omni/testing';
import { Type } from 'typebox';
import { createLogger, createService, Jobs, Metrics, type Service } from '../src';

/** Probes, background jobs and revocations as every service gets them from the kit. */
const started: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop();
});

const Ping = defineEvent({
  type: 'omni.test.ping.v1',
  topic: 'omni.test.ping',
  description: 'test',
  schema: Type.Object({ n: Type.Integer() }),
});

async function sample(
  issuer: TestTokenIssuer,
  over: { bus?: EventBus; store?: ReturnType<typeof createEmbeddedStore>; stallMs?: number } = {},
  setup?: (svc: Service) => void,
): Promise<Service> {
  const svc = createService({
    name: 'sample',
    store: over.store ?? createEmbeddedStore(),
    bus: over.bus ?? createEmbeddedBus(),
    auth: issuer.authOptions, // options, as every main.ts passes them
    logLevel: 'silent',
    grpc: false,
    ...(over.stallMs ? { livenessStallMs: over.stallMs } : {}),
  });
  svc.app.get('/v1/whoami', { config: { permission: 'catalog:read' } }, async (req) => ({
    sub: req.principal?.sub,
  }));
  setup?.(svc);
  await svc.start();
  started.push(svc);
  return svc;
}

describe('probes', () => {
  it('/readyz stays ready while only the bus is down, and fails when the store is', async () => {
    const issuer = await TestTokenIssuer.create();
    const bus = createEmbeddedBus();
    const store = createEmbeddedStore();
    const svc = await sample(issuer, { bus, store });
    bus.ping = async () => {
      throw new Error('broker unreachable');
    };
    const ready = await client(svc.url).get('/readyz');
    expect(ready.status).toBe(200);
    store.ping = async () => {
      throw new Error('store unreachable');
    };
    const notReady = await client(svc.url).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(String(notReady.body.detail)).toContain('store unreachable');
  });

  it('/livez fails when a consumer is dead or stuck, not while it retries', async () => {
    const issuer = await TestTokenIssuer.create();
    const bus = createEmbeddedBus();
    let mode: 'fail' | 'hang' = 'fail';
    let unwedge: () => void = () => undefined;
    const svc = await sample(issuer, { bus, stallMs: 3_000 }, (s) => {
      s.events.on(Ping, async () => {
        if (mode === 'fail') throw new Error('transient');
        await new Promise<void>((resolve) => (unwedge = resolve)); // a wedged handler
      });
    });
    await bus.publish(Ping.topic, [
      toBusMessage(createEvent(Ping, { subject: 'a', source: '/t', data: { n: 1 } })),
    ]);
    // Retrying (each attempt ends with a failure and backs off): alive.
    await new Promise((r) => setTimeout(r, 700));
    expect((await client(svc.url).get('/livez')).status).toBe(200);
    mode = 'hang';
    const dead = await waitFor(async () => {
      const res = await client(svc.url).get('/livez');
      return res.status === 503 ? res : undefined;
    });
    expect(String(dead.body.detail)).toContain('consumer sample stuck');
    unwedge(); // lets the service stop
  });

  it('/livez fails when a consumer stopped while the service runs', async () => {
    const issuer = await TestTokenIssuer.create();
    const svc = await sample(issuer, {}, (s) => s.events.on(Ping, async () => undefined));
    expect((await client(svc.url).get('/livez')).status).toBe(200);
    await svc.events.consumer('sample')!.stop(); // as a crashed consumer: no longer subscribed
    const res = await client(svc.url).get('/livez');
    expect(res.status).toBe(503);
    expect(String(res.body.detail)).toContain('consumer sample is not running');
  });

  it('/livez fails when the outbox relay is stuck in one round', async () => {
    const issuer = await TestTokenIssuer.create();
    const bus = createEmbeddedBus();
    const publish = bus.publish.bind(bus);
    let unwedge: () => void = () => undefined;
    bus.publish = async (topic, messages) => {
      if (topic === Ping.topic) await new Promise<void>((resolve) => (unwedge = resolve)); // a wedged send
      return publish(topic, messages);
    };
    const svc = await sample(issuer, { bus, stallMs: 500 });
    await svc.store.withTransaction((session) =>
      svc.events.publish(session, Ping, { subject: 'a', data: { n: 1 } }),
    );
    const dead = await waitFor(async () => {
      const res = await client(svc.url).get('/livez');
      return res.status === 503 ? res : undefined;
    });
    expect(String(dead.body.detail)).toContain('outbox relay stuck');
    unwedge();
  });
});

describe('revocations reach a service built from options (as its main.ts builds it)', () => {
  it('refuses a token once identity revoked it on the bus', async () => {
    const issuer = await TestTokenIssuer.create();
    const bus = createEmbeddedBus();
    const svc = await sample(issuer, { bus });
    const jti = 'jti-revoked-1';
    const token = await issuer.sign({ role: 'ops', sub: 'ops-9', jti });
    expect((await client(svc.url, token).get('/v1/whoami')).status).toBe(200);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const revoked = createEvent(TokenRevoked, {
      subject: 'ops-9',
      source: '/omni/identity',
      data: { sub: 'ops-9', jti, expiresAt: exp },
    });
    await bus.publish(TokenRevoked.topic, [toBusMessage(revoked)]);
    const res = await waitFor(async () => {
      const r = await client(svc.url, token).get('/v1/whoami');
      return r.status === 401 ? r : undefined;
    });
    expect(res.body).toMatchObject({ status: 401 });
  });
});

describe('kit jobs', () => {
  it('a lease job runs on one replica at a time; another takes over (fence + 1) when it stops', async () => {
    const store = createEmbeddedStore();
    await store.init();
    const log = createLogger({ service: 'jobs-test', level: 'silent' });
    const runs: Array<{ replica: number; fence: number }> = [];
    const replicas = [0, 1, 2].map((i) => {
      const jobs = new Jobs(store, log, new Metrics(`jobs${i}`));
      jobs.every({
        name: 'sweep',
        everyMs: 20,
        owner: 'lease',
        leaseMs: 2_000,
        run: async (job) => {
          runs.push({ replica: i, fence: job.fence });
        },
      });
      jobs.start();
      return jobs;
    });
    await waitFor(async () => (runs.length >= 10 ? true : undefined));
    const owners = new Set(runs.map((r) => r.replica));
    expect(owners.size).toBe(1);
    const first = runs[0]!;
    await replicas[first.replica]!.stop();
    const before = runs.length;
    const next = await waitFor(async () => runs.slice(before).find((r) => r.replica !== first.replica));
    expect(next.fence).toBe(first.fence + 1);
    for (const j of replicas) await j.stop();
    const after = runs.slice(before);
    expect(new Set(after.map((r) => r.replica)).size).toBe(1);
  });
});
