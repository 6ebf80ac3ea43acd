import { busConfigFromEnv, createBus } from '@omni/events';
import { initTracing, stopOnSignals } from '@omni/kit';
import { createStore, storeConfigFromEnv } from '@omni/store';
import { loadOrdersConfig } from './config';
import { buildOrdersService, type OrdersServiceDeps } from './service';

/** Standalone orders: its own store and bus from the environment, on 8084 by default. */
async function main(): Promise<void> {
  const { env, policy, timings, simulatedCard } = loadOrdersConfig();
  initTracing({
    serviceName: 'orders',
    ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });
  if (!env.OMNI_JWKS_URL)
    throw new Error('OMNI_JWKS_URL is required: orders verifies tokens with the identity service keys');
  const token = env.ORDERS_SERVICE_TOKEN;
  const svc = buildOrdersService({
    store: createStore(storeConfigFromEnv(process.env, 'orders')),
    bus: createBus(busConfigFromEnv(process.env, { clientId: 'orders' })),
    auth: {
      keys: { jwksUrl: env.OMNI_JWKS_URL },
      issuer: env.OMNI_JWT_ISSUER,
      audience: env.OMNI_JWT_AUDIENCE,
    },
    http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
    logLevel: env.OMNI_LOG_LEVEL as OrdersServiceDeps['logLevel'],
    catalogAddress: env.ORDERS_CATALOG_ADDR,
    inventoryAddress: env.ORDERS_INVENTORY_ADDR,
    customersAddress: env.ORDERS_CUSTOMERS_ADDR,
    serviceToken: async () => token,
    policy,
    timings,
    simulatedCard,
  });
  await svc.start();
  stopOnSignals(() => svc.stop(), svc.log);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
