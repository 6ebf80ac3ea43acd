/**
 * The orders service alone in a process, durable in a data directory — for the crash test, which
 * kills it with SIGKILL mid-saga and starts it again on the same directory. Configured by env:
 *   ORDERS_TEST_DIR, ORDERS_TEST_JWKS (JSON key set), ORDERS_TEST_TOKEN (service token),
 *   ORDERS_TEST_CATALOG / _INVENTORY / _CUSTOMERS (gRPC addresses), ORDERS_TEST_PAYMENT_HANG=1.
 * Prints "READY <http port>" once it serves.
 */
import { join } from 'node:path';
import { createEmbeddedBus } from '@omni/events';
import { createEmbeddedStore } from '@omni/store';
import { buildOrdersService } from '../../src';
import { SimulatedCardProvider } from '../../src/payment/simulated-card';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

async function main(): Promise<void> {
  const dir = env('ORDERS_TEST_DIR');
  const token = env('ORDERS_TEST_TOKEN');
  const svc = buildOrdersService({
    store: createEmbeddedStore({ dir: join(dir, 'store') }),
    bus: createEmbeddedBus({ dir: join(dir, 'bus') }),
    auth: { keys: { jwks: JSON.parse(env('ORDERS_TEST_JWKS')) }, issuer: 'omni-identity', audience: 'omni' },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    catalogAddress: env('ORDERS_TEST_CATALOG'),
    inventoryAddress: env('ORDERS_TEST_INVENTORY'),
    customersAddress: env('ORDERS_TEST_CUSTOMERS'),
    serviceToken: async () => token,
    payments: new SimulatedCardProvider({ hangAll: process.env.ORDERS_TEST_PAYMENT_HANG === '1' }),
    // Deadlines short enough for a takeover within seconds; attempts many enough that the first
    // process is still retrying the hanging provider when it is killed.
    timings: {
      stepTimeoutMs: 1_000,
      maxStepAttempts: 50,
      retryBaseMs: 20,
      retryMaxMs: 200,
      leaseSlackMs: 200,
      resumeIntervalMs: 100,
      placeWaitMs: 200,
    },
  });
  await svc.start();
  process.stdout.write(`READY ${svc.httpPort}\n`);
  process.once('SIGTERM', () => {
    svc.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
