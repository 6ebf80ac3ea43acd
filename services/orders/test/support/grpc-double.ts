import type * as grpc from '@grpc/grpc-js';
import {
  Authenticator,
  createLogger,
  GrpcServer,
  Metrics,
  UnauthorizedError,
  type GrpcCallContext,
  type UnaryHandlers,
} from '@omni/kit';
import type { TestTokenIssuer } from '@omni/testing';

/**
 * A small in-test gRPC server implementing one of the upstream protos with in-memory behaviour: the
 * test double orders' integration tests talk to over real gRPC (same client, deadlines, error mapping).
 */
export async function serveDouble<D extends grpc.ServiceDefinition>(
  name: string,
  issuer: TestTokenIssuer,
  definition: D,
  handlers: UnaryHandlers<D>,
): Promise<{ address: string; close(): Promise<void> }> {
  const server = new GrpcServer({
    service: name,
    log: createLogger({ service: name, level: 'silent' }),
    metrics: new Metrics(name),
    authenticator: new Authenticator(issuer.authOptions),
  });
  server.add(definition, handlers);
  const port = await server.listen('127.0.0.1', 0);
  return { address: `127.0.0.1:${port}`, close: () => server.close(100) };
}

/** Upstreams only serve service clients (orders' token). */
export function requireService(ctx: GrpcCallContext): void {
  if (ctx.principal?.role !== 'service') throw new UnauthorizedError('service token required');
}
