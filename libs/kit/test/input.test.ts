import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { createEmbeddedStore } from '@omni/store';
import { createEmbeddedBus } from '@omni/events';
import { TestTokenIssuer, client } from '@omni/testing';
import { createService, UnauthorizedError, type Service } from '../src';

/** Strict input, as every service gets it from the kit: no coercion of JSON, auth before bodies. */

let issuer: TestTokenIssuer;
let svc: Service;
let writes = 0;

const Line = Type.Object(
  { sku: Type.String({ minLength: 1, maxLength: 64 }), qty: Type.Integer({ minimum: 1, maximum: 999 }) },
  { additionalProperties: false },
);

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  svc = createService({
    name: 'strict',
    store: createEmbeddedStore(),
    bus: createEmbeddedBus(),
    auth: issuer.authOptions,
    logLevel: 'silent',
    grpc: false,
  });
  const scope = (req: { params: unknown }) => ({ storeId: (req.params as { storeId: string }).storeId });
  svc.app.post(
    '/v1/stores/:storeId/things',
    {
      config: { permission: 'inventory:adjust', scope },
      schema: {
        params: Type.Object({ storeId: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ maxLength: 100 })),
            sku: Type.Optional(Type.String({ maxLength: 64 })),
            qty: Type.Optional(Type.Integer({ minimum: 1 })),
            seq: Type.Optional(Type.Integer({ minimum: 0 })),
            allowAlternativeStore: Type.Optional(Type.Boolean()),
            pointsToRedeem: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      writes++;
      return reply.code(201).send(req.body);
    },
  );
  // Query strings and path params are strings on the wire: still coerced.
  svc.app.get(
    '/v1/stores/:n/things',
    {
      schema: {
        params: Type.Object({ n: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 50 }), all: Type.Boolean() }),
      },
    },
    async (req) => ({ n: req.params.n, limit: req.query.limit, all: req.query.all }),
  );
  // A route that takes no body.
  svc.app.post('/v1/ops/reconcile', { config: { permission: 'audit:read' } }, async () => {
    writes++;
    return { ok: true };
  });
  // Authorises in its handler (no `permission` in its config), like a customer-or-ops route.
  svc.app.post(
    '/v1/orders/:orderId/returns',
    {
      schema: {
        params: Type.Object({ orderId: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          { lines: Type.Array(Line, { minItems: 1, maxItems: 100 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      if (!req.principal) throw new UnauthorizedError();
      writes++;
      return reply.code(201).send({ lines: req.body.lines.length });
    },
  );
  await svc.start();
});
afterAll(async () => svc?.stop());

describe('JSON bodies are never type-coerced', () => {
  it.each([
    ['"qty":"1"', { qty: '1' }],
    ['"seq":"1019"', { seq: '1019' }],
    ['"allowAlternativeStore":"true"', { allowAlternativeStore: 'true' }],
    ['"sku":["p0000-M"]', { sku: ['p0000-M'] }],
    ['"pointsToRedeem":null', { pointsToRedeem: null }],
    ['{"name":4242}', { name: 4242 }],
  ])('%s is a 400 problem and changes nothing', async (_label, body) => {
    const before = writes;
    const res = await client(svc.url, await issuer.staff('S1', 'manager')).post('/v1/stores/S1/things', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/validation-failed', errorCount: 1 });
    expect(writes).toBe(before);
  });

  it('accepts the right types', async () => {
    const api = client(svc.url, await issuer.staff('S1', 'manager'));
    const body = {
      name: 'a',
      sku: 'p0000-M',
      qty: 1,
      seq: 1019,
      allowAlternativeStore: true,
      pointsToRedeem: 0,
    };
    const res = await api.post('/v1/stores/S1/things', body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual(body);
  });

  it('still coerces query strings and path parameters', async () => {
    const res = await client(svc.url).get('/v1/stores/7/things?limit=20&all=true');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ n: 7, limit: 20, all: true });
    const bad = await client(svc.url).get('/v1/stores/7/things?limit=many&all=true');
    expect(bad.status).toBe(400);
  });
});

describe('routes that take no body', () => {
  it('refuse a body, accept none or {}', async () => {
    const api = client(svc.url, await issuer.ops());
    const before = writes;
    const withBody = await api.post('/v1/ops/reconcile', { dryRun: true });
    expect(withBody.status).toBe(400);
    expect(withBody.headers.get('content-type')).toContain('application/problem+json');
    expect(writes).toBe(before);
    const text = await api.post('/v1/ops/reconcile', undefined, {
      raw: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect(writes).toBe(before);
    expect((await api.post('/v1/ops/reconcile')).status).toBe(200);
    expect((await api.post('/v1/ops/reconcile', {})).status).toBe(200);
  });
});

describe('bad bodies are cheap to refuse', () => {
  const hugeBadBody = JSON.stringify({ lines: Array.from({ length: 400_000 }, () => 0) });

  it('an anonymous caller gets a small 401 before its body is validated', async () => {
    expect(hugeBadBody.length).toBeGreaterThan(790_000);
    const res = await client(svc.url).post('/v1/orders/x/returns', undefined, {
      raw: hugeBadBody,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body).length).toBeLessThan(1_000);
  });

  it('an authenticated caller gets one error for the over-long array, not one per item', async () => {
    const res = await client(svc.url, await issuer.ops()).post('/v1/orders/x/returns', undefined, {
      raw: hugeBadBody,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(2_000);
    expect(res.body).toMatchObject({ errors: [{ field: 'body/lines' }] });
  });

  it('lists at most 20 errors and says how many there were', async () => {
    const lines = Array.from({ length: 100 }, () => ({ sku: '', qty: 0 }));
    const res = await client(svc.url, await issuer.ops()).post('/v1/orders/x/returns', { lines });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.errorCount).toBe(200);
  });
});
