/* eslint-disable no-console -- a bench reports on stdout */
/**
 * Rough throughput of the customers service on the embedded adapters (not a test):
 *   npx tsx services/customers/bench/customers-bench.ts
 * Creates customers over HTTP, redeems points over gRPC (concurrency 50), merges pairs over HTTP.
 */
import { createGrpcClient } from '@omni/kit';
import { customers as pb } from '@omni/proto';
import { client, createTestDeps } from '@omni/testing';
import { buildCustomersService } from '../src';
import { accruePointsForOrder } from '../src/app/accrue-points';

async function timed<T>(label: string, n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) out.push(await fn(next++));
    }),
  );
  const ms = performance.now() - started;
  console.log(`${label}: ${n} in ${ms.toFixed(0)} ms → ${((n / ms) * 1000).toFixed(0)}/s (concurrency ${concurrency})`);
  return out;
}

const deps = await createTestDeps();
const svc = buildCustomersService({ store: deps.store, bus: deps.bus, auth: deps.auth, logLevel: 'silent', expiryIntervalMs: 0 });
await svc.start();
const ops = client(svc.url, await deps.issuer.ops());
const token = await deps.issuer.service('orders', 'customers:read customers:write');
const grpc = createGrpcClient(pb.CustomersServiceService, svc.grpcAddress, { token: () => token });

const ids = await timed('HTTP create customer', 2000, 50, async (i) => {
  const res = await ops.post<{ customer: { id: string } }>('/v1/customers', { identities: [{ kind: 'email', value: `b${i}@example.com` }, { kind: 'phone', value: `+4477009${String(i).padStart(5, '0')}` }] });
  return res.body.customer.id;
});
const ctx = svc.customers;
for (const [i, id] of ids.entries()) {
  await ctx.store.withTransaction((session) =>
    accruePointsForOrder(ctx, session, { orderId: `seed-${i}`, customerId: id, channel: 'online', total: { amountMinor: 1000_00, currency: 'EUR' }, completedAt: new Date().toISOString() }),
  );
}
await timed('gRPC RedeemPoints', 5000, 50, (i) => grpc.redeemPoints({ customerId: ids[i % ids.length]!, points: 1, orderId: `o-${i}`, operationId: `op-${i}` }));
await timed('gRPC Resolve by phone', 5000, 50, (i) => grpc.resolve({ customerId: '', identityKind: 'phone', identityValue: `+4477009${String(i % ids.length).padStart(5, '0')}` }));
await timed('HTTP merge pair', 500, 20, (i) => ops.post('/v1/customers/merge', { customerIds: [ids[2 * i]!, ids[2 * i + 1]!], reason: 'bench' }));
grpc.close();
await svc.stop();
