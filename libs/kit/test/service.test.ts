import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { TestTokenIssuer, client } from '@omni/testing';
import { initTracing, redactUrl, type Service } from '../src';
import { startSampleService } from './sample-service';

initTracing({ serviceName: 'kit-test' });

let issuer: TestTokenIssuer;
let svc: Service;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      cb();
    },
  });
  svc = await startSampleService(issuer, sink);
});
afterAll(async () => svc?.stop());

describe('kit-built service: problem+json on bad input', () => {
  it('lists the bad fields of an invalid body and writes nothing', async () => {
    const api = client(svc.url, await issuer.staff('S1', 'manager'));
    const res = await api.post('/v1/stores/S1/notes', { text: '', qty: 'many', extra: true });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/validation-failed', status: 400 });
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/text', 'body/qty', 'body/extra']));
    expect(await svc.store.collection('notes').countDocuments({})).toBe(0);
  });

  it('answers malformed JSON, oversized bodies and unknown routes with problems', async () => {
    const api = client(svc.url, await issuer.staff('S1', 'manager'));
    const malformed = await api.post('/v1/stores/S1/notes', undefined, {
      raw: '{"text": "a", ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ type: 'https://omni.dev/problems/malformed-json' });
    const huge = await api.post('/v1/stores/S1/notes', { text: 'x'.repeat(100_000), qty: 1 });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ type: 'https://omni.dev/problems/payload-too-large' });
    const missing = await api.get('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: 'https://omni.dev/problems/route-not-found' });
  });

  it('never leaks internals of an unexpected error', async () => {
    const res = await client(svc.url).get('/v1/boom');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
    expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/internal', status: 500 });
  });
});

describe('kit-built service: auth by role and scope', () => {
  it('401 without a token, with a tampered token and with an expired one', async () => {
    const api = client(svc.url);
    expect((await api.get('/v1/notes/x')).status).toBe(401);
    const token = await issuer.ops();
    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const t = await api.get('/v1/notes/x', { token: tampered });
    expect(t.status).toBe(401);
    expect(t.body).toMatchObject({ type: 'https://omni.dev/problems/token-invalid' });
    const expired = await api.get('/v1/notes/x', {
      token: await issuer.sign({ role: 'ops', expiresIn: -10 }),
    });
    expect(expired.body).toMatchObject({ type: 'https://omni.dev/problems/token-expired' });
  });

  it('403 for a clerk acting as a manager, and for staff of another store; 201 in scope', async () => {
    const body = { text: 'count shelf 3', qty: 2 };
    const clerk = await client(svc.url, await issuer.staff('S1', 'clerk')).post('/v1/stores/S1/notes', body);
    expect(clerk.status).toBe(403);
    const otherStore = await client(svc.url, await issuer.staff('S2', 'manager')).post(
      '/v1/stores/S1/notes',
      body,
    );
    expect(otherStore.status).toBe(403);
    expect(otherStore.body.detail).toContain('storeId=S1');
    const rider = await client(svc.url, await issuer.rider('R1')).post('/v1/stores/S1/notes', body);
    expect(rider.status).toBe(403);
    const ok = await client(svc.url, await issuer.staff('S1', 'manager')).post('/v1/stores/S1/notes', body);
    expect(ok.status).toBe(201);
    const ops = await client(svc.url, await issuer.ops()).get(`/v1/notes/${(ok.body as { id: string }).id}`);
    expect(ops.status).toBe(200);
  });

  it('audits denied access with actor and route', async () => {
    await client(svc.url, await issuer.staff('S9', 'manager', 'staff-denied')).post('/v1/stores/S1/notes', {
      text: 'x',
      qty: 1,
    });
    const page = await svc.audit.query({ actor: 'staff-denied' }, { limit: 10 });
    expect(page.items[0]).toMatchObject({
      action: 'access.denied',
      outcome: 'denied',
      actor: { sub: 'staff-denied', role: 'store_staff' },
    });
  });
});

describe('kit-built service: Idempotency-Key', () => {
  it('replays the first response for the same key and body, and rejects a different body with 422', async () => {
    const api = client(svc.url, await issuer.staff('S1', 'manager'));
    const headers = { 'idempotency-key': 'key-replay-1' };
    const first = await api.post('/v1/stores/S1/notes', { text: 'a', qty: 1 }, { headers });
    const second = await api.post('/v1/stores/S1/notes', { text: 'a', qty: 1 }, { headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const count = await svc.store.collection('notes').countDocuments({ text: 'a' });
    expect(count).toBe(1);
    const different = await api.post('/v1/stores/S1/notes', { text: 'b', qty: 1 }, { headers });
    expect(different.status).toBe(422);
    expect(different.body).toMatchObject({ type: 'https://omni.dev/problems/idempotency-key-reused' });
  });

  it('executes concurrent duplicates once', async () => {
    const api = client(svc.url, await issuer.staff('S1', 'manager'));
    const headers = { 'idempotency-key': 'key-concurrent-1' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api.post('/v1/stores/S1/notes', { text: 'c', qty: 3 }, { headers })),
    );
    const created = results.filter((r) => r.status === 201);
    const inProgress = results.filter((r) => r.status === 409);
    expect(created.length + inProgress.length).toBe(20);
    expect(new Set(created.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await svc.store.collection('notes').countDocuments({ text: 'c' })).toBe(1);
  });
});

describe('kit-built service: operations endpoints', () => {
  it('serves OpenAPI at /docs with the secured routes', async () => {
    const html = await client(svc.url).get('/docs/');
    expect(html.status).toBe(200);
    const spec = await client(svc.url).get<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>('/docs/json');
    expect(spec.body.paths['/v1/stores/{storeId}/notes']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.body.paths['/livez']).toBeUndefined();
  });

  it('exposes Prometheus metrics with per-route latency', async () => {
    const res = await client(svc.url).get('/metrics');
    expect(res.status).toBe(200);
    expect(String(res.body)).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/v1\/stores\/:storeId\/notes"/,
    );
    expect(String(res.body)).toContain('process_cpu_user_seconds_total');
  });

  it('reports liveness and readiness of its adapters', async () => {
    expect((await client(svc.url).get('/livez')).status).toBe(200);
    const ready = await client(svc.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { store: 'ok' } });
    svc.addReadinessCheck('flaky', async () => {
      throw new Error('downstream gone');
    });
    const notReady = await client(svc.url).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(String(notReady.body.detail)).toContain('downstream gone');
    svc.addReadinessCheck('flaky', async () => undefined);
  });

  it('writes the caller trace id into its log lines', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await client(svc.url).get('/v1/notes/x', {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const line = logLines.find((l) => l.trace_id === traceId && l.msg === 'request completed');
    expect(line).toMatchObject({ service: 'sample', status: 401, trace_id: traceId });
    expect(typeof line?.span_id).toBe('string');
  });

  it('never logs tokens', async () => {
    const token = await issuer.ops();
    await client(svc.url, token).get('/v1/notes/x');
    expect(logLines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logLines)).not.toContain(token);
  });

  it('never logs token-like query parameters of a URL, even of a rejected request', async () => {
    const token = await issuer.ops();
    const query = `?access_token=${token}&code=123456&refresh_token=r-secret&id_token=i-secret&limit=5`;
    const res = await client(svc.url).get(`/v1/notes/x${query}`);
    expect(res.status).toBe(401);
    const logged = JSON.stringify(logLines);
    for (const secret of [token, '123456', 'r-secret', 'i-secret']) expect(logged).not.toContain(secret);
    const line = logLines.find((l) => typeof l.url === 'string' && l.url.startsWith('/v1/notes/x?'));
    expect(line?.url).toBe(
      '/v1/notes/x?access_token=[redacted]&code=[redacted]&refresh_token=[redacted]&id_token=[redacted]&limit=5',
    );
  });
});

describe('redactUrl', () => {
  it('keeps paths and harmless parameters, hides credentials however they are spelled', () => {
    expect(redactUrl('/v1/riders/me/ws')).toBe('/v1/riders/me/ws');
    expect(redactUrl('/a?limit=5&cursor=abc')).toBe('/a?limit=5&cursor=abc');
    expect(redactUrl('/a?Access_Token=x&client_secret=y&flag')).toBe(
      '/a?Access_Token=[redacted]&client_secret=[redacted]&flag',
    );
    expect(redactUrl('/a?access%5Ftoken=x#frag')).toBe('/a?access%5Ftoken=[redacted]#frag');
  });
});
