import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '@omni/testing';
import { RESERVED_ID_NAMES, STORE_ID_PATTERN } from '@omni/kit';
import { SERVICE_NAMES, type ServiceName, type System } from '../src';
import type { DemoContext } from '../src/demo/flows';
import { startDemoSystem } from './support';

/**
 * Strict input across every service of the system (issue 13, items 5, 14, 15): the OpenAPI documents
 * bound every request, ids in paths are checked by pattern, JSON types are never coerced, bodies are
 * refused where a route takes none, and an anonymous large body is refused before it is read.
 */
let sys: System;
let ctx: DemoContext;
let ops: string;
const docs = new Map<ServiceName, OpenApi>();

interface Schema {
  type?: string | string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  maxItems?: number;
  maxLength?: number;
}
interface Operation {
  parameters?: Array<{ in: string; name: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

beforeAll(async () => {
  ({ sys, ctx, ops } = await startDemoSystem());
  for (const name of SERVICE_NAMES) {
    const res = await client(sys.urls[name]).get<OpenApi>('/docs/json');
    docs.set(name, res.body);
  }
}, 120_000);
afterAll(async () => sys?.stop());

const operations = function* () {
  for (const [service, doc] of docs)
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        yield { service, path, method: method.toUpperCase(), op };
};

/** Every unbounded array or string below a request body schema, by JSON path. */
function unbounded(s: Schema | undefined, at: string, out: string[]): string[] {
  if (!s || typeof s !== 'object') return out;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if ((types.includes('array') || s.items) && s.maxItems === undefined)
    out.push(`${at}: array without maxItems`);
  const bounded = s.maxLength !== undefined || s.enum || s.const !== undefined || s.format;
  if (types.includes('string') && !bounded) out.push(`${at}: string without maxLength`);
  for (const [k, v] of Object.entries(s.properties ?? {})) unbounded(v, `${at}/${k}`, out);
  unbounded(s.items, `${at}[]`, out);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const)
    s[k]?.forEach((x, i) => unbounded(x, `${at}(${k}${i})`, out));
  if (typeof s.additionalProperties === 'object') unbounded(s.additionalProperties, `${at}{*}`, out);
  return out;
}

describe('OpenAPI documents bound every request', () => {
  it('every array in a request body has maxItems, every string a maxLength', () => {
    const problems: string[] = [];
    for (const { service, path, method, op } of operations()) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
        for (const p of unbounded(media.schema, 'body', []))
          problems.push(`${service} ${method} ${path} (${type}) ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('every path parameter is bounded and checked by pattern; store and location ids by the store pattern', () => {
    const problems: string[] = [];
    let storeParams = 0;
    for (const { service, path, method, op } of operations()) {
      for (const p of op.parameters ?? []) {
        if (p.in !== 'path') continue;
        const s = p.schema ?? {};
        const isEnum = s.enum || s.anyOf?.every((x) => x.enum || x.const !== undefined);
        if (isEnum) continue;
        const where = `${service} ${method} ${path} {${p.name}}`;
        if (s.maxLength === undefined) problems.push(`${where}: no maxLength`);
        // An e-mail or phone in a path (customers' identity routes) is a value, not an id.
        if (!s.pattern && p.name !== 'value') problems.push(`${where}: no pattern`);
        if (p.name === 'storeId' || p.name === 'locationId') {
          storeParams++;
          if (s.pattern !== STORE_ID_PATTERN) problems.push(`${where}: not the store id pattern`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(storeParams).toBeGreaterThan(10);
  });
});

describe('ids that are Object.prototype names', () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

  it('are in the kit list of reserved names', () => {
    for (const n of names) expect(RESERVED_ID_NAMES).toContain(n);
  });

  it('give 4xx, never 500 or 2xx, on every GET route of every service with an id in its path', async () => {
    const tokens = { ops, clerk: ctx.tokens['clerk:S01']!, pos: ctx.tokens['pos:S01']! };
    const bad: string[] = [];
    let checked = 0;
    for (const { service, path, method } of operations()) {
      if (method !== 'GET' || !path.includes('{')) continue;
      for (const name of names) {
        const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(name));
        for (const [who, token] of Object.entries(tokens)) {
          const res = await client(sys.urls[service], token).get(url);
          checked++;
          if (res.status < 400 || res.status >= 500)
            bad.push(`${service} GET ${url} as ${who}: ${res.status}`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    // The one of the report.
    const pickup = await client(sys.urls.pickup, ops).get('/v1/stores/constructor/pickup');
    expect(pickup.status).toBe(400);
    expect(pickup.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a POS client of S01 cannot register a member under store `constructor` (or any reserved name)', async () => {
    const pos = client(sys.urls.customers, ctx.tokens['pos:S01']!);
    for (const [i, name] of names.entries()) {
      const res = await pos.post(`/v1/stores/${encodeURIComponent(name)}/members`, {
        memberCard: `MCRESERVED${i}`,
        name: 'Walk In',
      });
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
    }
    for (const [i, name] of names.entries()) {
      const found = await client(sys.urls.customers, ops).get(
        `/v1/customers/lookup?kind=member_card&value=MCRESERVED${i}`,
      );
      expect(found.status, name).toBe(404);
    }
    // ...while its own store works, and the lookup finds what was registered.
    expect((await pos.post('/v1/stores/S01/members', { memberCard: 'MCRESERVEDOK' })).status).toBe(201);
    const own = await client(sys.urls.customers, ops).get(
      '/v1/customers/lookup?kind=member_card&value=MCRESERVEDOK',
    );
    expect(own.status).toBe(200);
  });
});

describe('store ids in bodies', () => {
  it('identity refuses an account bound to store `constructor` (or any id off the store pattern)', async () => {
    const api = client(sys.urls.identity, ops);
    for (const stores of [{ constructor: 'clerk' }, { toString: 'manager' }, { 'S 01': 'clerk' }]) {
      const res = await api.post('/v1/accounts', {
        kind: 'store_staff',
        username: 'clerk.reserved',
        password: 'a-long-enough-passphrase-42',
        stores,
      });
      expect(res.status, JSON.stringify(stores)).toBe(400);
      expect(JSON.stringify(res.body)).toContain('stores');
    }
    const none = await api.get('/v1/accounts?kind=store_staff&limit=200');
    expect(none.status).toBe(200);
    expect(JSON.stringify(none.body)).not.toContain('clerk.reserved');
  });
});

describe('JSON types are strict in every service', () => {
  const order = (over: Record<string, unknown> = {}, fulfilment: Record<string, unknown> = {}) => ({
    lines: [{ sku: 'p0000-M', qty: 1 }],
    fulfilment: { method: 'pickup', storeId: 'S01', ...fulfilment },
    payment: { method: 'card', cardToken: 'tok_visa' },
    ...over,
  });

  it('orders: "qty":"1", "sku":["p0000-M"], "allowAlternativeStore":"true", "pointsToRedeem":null are 400', async () => {
    const customerId = ctx.customers[0]!.customerId;
    const shopper = client(sys.urls.orders, ctx.tokens[`customer:${customerId}`]!);
    const before = await client(sys.urls.orders, ops).get<{ items: unknown[] }>('/v1/orders?limit=100');
    const bodies = [
      order({ lines: [{ sku: 'p0000-M', qty: '1' }] }),
      order({ lines: [{ sku: ['p0000-M'], qty: 1 }] }),
      order({}, { allowAlternativeStore: 'true' }),
      order({ pointsToRedeem: null }),
    ];
    for (const [i, body] of bodies.entries()) {
      const res = await shopper.post('/v1/orders', body, { headers: { 'idempotency-key': `strict-${i}` } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const after = await client(sys.urls.orders, ops).get<{ items: unknown[] }>('/v1/orders?limit=100');
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('inventory: "seq":"1019" in a POS batch and "ttlSeconds":"1" in a reservation are 400', async () => {
    const pos = client(sys.urls.inventory, ctx.tokens['pos:S01']!);
    const sync = await pos.post('/v1/stores/S01/sync', {
      ops: [{ clientOpId: 'strict-1', seq: '1019', type: 'sale', lines: [{ sku: 'p0000-M', qty: 1 }] }],
    });
    expect(sync.status).toBe(400);
    const reserve = await client(sys.urls.inventory, ops).post('/v1/reservations', {
      locationId: 'S01',
      lines: [{ sku: 'p0000-M', qty: 1 }],
      ttlSeconds: '1',
    });
    expect(reserve.status).toBe(400);
  });

  it('customers: {"name":4242} is 400', async () => {
    const pos = client(sys.urls.customers, ctx.tokens['pos:S01']!);
    const res = await pos.post('/v1/stores/S01/members', { memberCard: 'MC-4242', name: 4242 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [{ field: 'body/name' }] });
  });
});

describe('routes that take no body refuse one', () => {
  it('inventory POST /v1/ops/reconcile and identity POST /v1/me/totp', async () => {
    const reconcile = await client(sys.urls.inventory, ops).post('/v1/ops/reconcile', { dryRun: true });
    expect(reconcile.status).toBe(400);
    expect(reconcile.headers.get('content-type')).toContain('application/problem+json');
    const totp = await client(sys.urls.identity, ops).post('/v1/me/totp', { secret: 'mine' });
    expect(totp.status).toBe(400);
  });
});

describe('an anonymous large bad body', () => {
  it('POST orders /v1/orders/x/returns with 400,000 bad items: a small 401, not 400,001 errors', async () => {
    const raw = JSON.stringify({ lines: Array.from({ length: 400_000 }, () => ({ sku: 1 })) });
    expect(raw.length).toBeGreaterThan(3_000_000 / 4);
    const res = await client(sys.urls.orders).post('/v1/orders/x/returns', undefined, {
      raw,
      headers: { 'content-type': 'application/json' },
    });
    expect([401, 413]).toContain(res.status);
    expect(JSON.stringify(res.body).length).toBeLessThan(1_000);
  });

  it('the same body with a token: one error for the over-long array, and the count', async () => {
    const raw = JSON.stringify({ lines: Array.from({ length: 100_000 }, () => ({ sku: 1 })) });
    const res = await client(sys.urls.orders, ops).post('/v1/orders/x/returns', undefined, {
      raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(2_000);
  });
});
