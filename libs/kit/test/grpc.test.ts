import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { TestTokenIssuer } from '@omni/testing';
import {
  AppError,
  Authenticator,
  authorize,
  createGrpcClient,
  GrpcServer,
  initTracing,
  Metrics,
  NotFoundError,
  withSpan,
} from '../src';

initTracing({ serviceName: 'kit-test' });

interface EchoRequest {
  text: string;
  sleepMs?: number;
  fail?: 'not-found' | 'crash';
}
interface EchoResponse {
  text: string;
  caller: string;
  traceId: string;
}

// A JSON-serialised definition shaped like the ones ts-proto generates.
const json = <T>() => ({
  serialize: (v: T) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()) as T,
});
const req = json<EchoRequest>();
const res = json<EchoResponse>();
const EchoService = {
  echo: {
    path: '/omni.test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: req.serialize,
    requestDeserialize: req.deserialize,
    responseSerialize: res.serialize,
    responseDeserialize: res.deserialize,
  },
} satisfies grpc.ServiceDefinition;

let issuer: TestTokenIssuer;
let server: GrpcServer;
let address: string;

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  server = new GrpcServer({
    service: 'echo',
    log: pino({ level: 'silent' }),
    metrics: new Metrics('echo'),
    authenticator: new Authenticator(issuer.authOptions),
  });
  server.add(EchoService, {
    echo: async (r, ctx) => {
      const p = authorize(ctx.principal, 'inventory:reserve');
      if (r.fail === 'not-found') throw new NotFoundError('sku', r.text);
      if (r.fail === 'crash') throw new Error('db password is hunter2');
      if (r.sleepMs) await new Promise((resolve) => setTimeout(resolve, r.sleepMs));
      return { text: r.text, caller: p.sub, traceId: trace.getActiveSpan()?.spanContext().traceId ?? '' };
    },
  });
  address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterAll(async () => server?.close(1000));

describe('gRPC helpers', () => {
  it('authenticates the caller from metadata and continues its trace', async () => {
    const token = await issuer.service('orders', 'inventory:reserve');
    const client = createGrpcClient(EchoService, address, { token: () => token });
    const out = await withSpan('test', 'caller', {}, async (span) => ({
      reply: await client.echo({ text: 'hi' }),
      traceId: span.spanContext().traceId,
    }));
    expect(out.reply).toMatchObject({ text: 'hi', caller: 'svc-orders' });
    expect(out.reply.traceId).toBe(out.traceId);
    client.close();
  });

  it('maps domain errors to status codes and back', async () => {
    const token = await issuer.service('orders', 'inventory:reserve');
    const client = createGrpcClient(EchoService, address, { token: () => token });
    const notFound = await client.echo({ text: 'SKU-9', fail: 'not-found' }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(AppError);
    expect(notFound).toMatchObject({ status: 404, slug: 'not-found', detail: 'sku SKU-9 not found' });
    const crash = (await client.echo({ text: 'x', fail: 'crash' }).catch((e: unknown) => e)) as AppError;
    expect(crash.status).toBe(502);
    expect(crash.message).not.toContain('hunter2');
    client.close();
  });

  it('refuses callers without a token or without the permission', async () => {
    const anonymous = createGrpcClient(EchoService, address);
    expect(await anonymous.echo({ text: 'x' }).catch((e: unknown) => e)).toMatchObject({ status: 401 });
    const token = await issuer.service('catalog', 'catalog:read');
    const wrong = createGrpcClient(EchoService, address, { token: () => token });
    expect(await wrong.echo({ text: 'x' }).catch((e: unknown) => e)).toMatchObject({ status: 403 });
    anonymous.close();
    wrong.close();
  });

  it('enforces the call deadline', async () => {
    const token = await issuer.service('orders', 'inventory:reserve');
    const client = createGrpcClient(EchoService, address, { token: () => token, deadlineMs: 100 });
    const err = await client.echo({ text: 'slow', sleepMs: 1_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 504, slug: 'deadline-exceeded' });
    client.close();
  });
});
