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
let socketAddress: string;
let inProcessAddress: string;

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
  socketAddress = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  inProcessAddress = server.inProcessAddress!;
});
afterAll(async () => server?.close(1000));

// Every behaviour holds over both transports: http2 on a socket, and the in-process channel.
describe.each(['socket', 'in-process'] as const)('gRPC helpers over %s', (transport) => {
  let address: string;
  beforeAll(() => {
    address = transport === 'socket' ? socketAddress : inProcessAddress;
  });

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

describe('the in-process channel', () => {
  // A codec like a generated one: it writes only the fields the contract declares.
  const StrictEchoService = {
    echo: {
      ...EchoService.echo,
      path: '/omni.test.StrictEcho/Echo',
      requestSerialize: (v: EchoRequest) => Buffer.from(JSON.stringify({ text: v.text })),
    },
  } satisfies grpc.ServiceDefinition;

  it('sends messages through the codecs, and stops when the server closes', async () => {
    const received: unknown[] = [];
    const strict = new GrpcServer({
      service: 'strict-echo',
      log: pino({ level: 'silent' }),
      metrics: new Metrics('strict-echo'),
      authenticator: new Authenticator(issuer.authOptions),
    });
    strict.add(StrictEchoService, {
      echo: async (r) => {
        received.push(r);
        return { text: r.text, caller: 'anonymous', traceId: '' };
      },
    });
    await strict.listen('127.0.0.1', 0);
    const client = createGrpcClient(StrictEchoService, strict.inProcessAddress!);
    const request = { text: 'hi', sleepMs: 5 };
    expect(await client.echo(request)).toEqual({ text: 'hi', caller: 'anonymous', traceId: '' });
    // The handler got what the bytes carried: a fresh object without the field the codec left out.
    expect(received).toEqual([{ text: 'hi' }]);
    expect(received[0]).not.toBe(request);

    // Closed: like a refused connection.
    await strict.close(1000);
    expect(strict.inProcessAddress).toBeNull();
    expect(await client.echo({ text: 'down' }).catch((e: unknown) => e)).toMatchObject({ status: 503 });
    client.close();
  });
});
