import { AsyncResource } from 'node:async_hooks';
import * as grpc from '@grpc/grpc-js';
import type { GrpcServer } from './grpc';

/**
 * The in-process gRPC channel: services that share a process (the all-in-one runtime) call each
 * other without sockets or http2 framing, as grpc-java's InProcessChannel does. What stays the
 * same as over the network, so that one process still exercises the distributed contract:
 * - messages go through the generated codecs both ways (request: client serialize → server
 *   deserialize; response: server serialize → client deserialize), so a field the proto does not
 *   carry is lost here exactly as on the wire, and caller and handler never share an object;
 * - metadata (authorization, trace context) is copied, and the server authenticates it the same way;
 * - the client's deadline fails the call with DEADLINE_EXCEEDED and aborts the handler's signal;
 * - errors travel as (status code, details, trailers) and are mapped back by `fromServiceError`;
 * - the 4 MiB receive limit of the socket server applies to both directions;
 * - the handler runs in the server's own async context (captured when it started listening), not
 *   in the caller's, so nothing held in AsyncLocalStorage (a store transaction, a span) leaks across.
 * An address `in-process:<name>` selects it; a server registers its name when it listens.
 */

export const IN_PROCESS_SCHEME = 'in-process:';
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

interface Registered {
  server: GrpcServer;
  scope: AsyncResource;
}
const registry = new Map<string, Registered>();

/** Called by GrpcServer.listen; returns the address callers use. */
export function registerInProcess(name: string, server: GrpcServer): string {
  const address = `${IN_PROCESS_SCHEME}${name}`;
  registry.set(address, { server, scope: new AsyncResource('omni.grpc.in-process') });
  return address;
}

export function unregisterInProcess(address: string, server: GrpcServer): void {
  if (registry.get(address)?.server === server) registry.delete(address);
}

export function isInProcessAddress(address: string): boolean {
  return address.startsWith(IN_PROCESS_SCHEME);
}

/** A failure shaped like the one grpc-js hands its callbacks. */
export function serviceError(
  code: grpc.status,
  details: string,
  metadata = new grpc.Metadata(),
): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata });
}

/** One unary call through the in-process channel; rejects with a grpc.ServiceError. */
export function callInProcess(
  address: string,
  method: grpc.MethodDefinition<unknown, unknown>,
  request: unknown,
  metadata: grpc.Metadata,
  deadlineMs: number,
): Promise<unknown> {
  const target = registry.get(address);
  // Like a refused connection: the server is not (or no longer) there.
  if (!target)
    return Promise.reject(serviceError(grpc.status.UNAVAILABLE, `no in-process server at ${address}`));
  const invoker = target.server.invoker(method.path);
  if (!invoker) return Promise.reject(serviceError(grpc.status.UNIMPLEMENTED, `${method.path} not served`));
  const requestBytes = method.requestSerialize(request);
  if (requestBytes.length > MAX_MESSAGE_BYTES) {
    return Promise.reject(
      serviceError(grpc.status.RESOURCE_EXHAUSTED, `request larger than ${MAX_MESSAGE_BYTES} bytes`),
    );
  }
  return new Promise<unknown>((resolve, reject) => {
    let onCancel: (() => void) | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      onCancel?.();
      reject(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    }, deadlineMs);
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    target.scope
      .runInAsyncScope(() =>
        invoker.invoke({
          request: invoker.method.requestDeserialize(requestBytes),
          metadata: metadata.clone(),
          deadline: Date.now() + deadlineMs,
          onCancel: (cb) => {
            onCancel = cb;
          },
        }),
      )
      .then(
        (outcome) =>
          settle(() => {
            if (!outcome.ok) {
              const { code, details, metadata: trailers } = outcome.error;
              reject(serviceError(code, details, trailers.clone()));
              return;
            }
            const responseBytes = invoker.method.responseSerialize(outcome.response);
            if (responseBytes.length > MAX_MESSAGE_BYTES) {
              reject(
                serviceError(
                  grpc.status.RESOURCE_EXHAUSTED,
                  `response larger than ${MAX_MESSAGE_BYTES} bytes`,
                ),
              );
              return;
            }
            resolve(method.responseDeserialize(responseBytes));
          }),
        (err: unknown) => settle(() => reject(serviceError(grpc.status.INTERNAL, (err as Error).message))),
      );
  });
}
