import { jwksAuthFromEnv, runService, serviceTokenFromEnv } from '@omni/kit';
import { loadOrdersConfig } from './config';
import { buildOrdersService, type OrdersServiceDeps } from './service';

/** Standalone orders: its own store and bus from the environment, on 8084 by default. */
void runService({
  name: 'orders',
  config: () => {
    const config = loadOrdersConfig();
    const { env } = config;
    const auth = jwksAuthFromEnv(env, 'orders');
    // Outgoing gRPC calls carry orders' own token: client credentials from identity (deployments), or
    // a fixed token (ORDERS_SERVICE_TOKEN, for a quick local run against a known issuer).
    const serviceToken = serviceTokenFromEnv('orders', {
      variable: 'ORDERS_SERVICE_TOKEN',
      value: env.ORDERS_SERVICE_TOKEN,
    });
    return { ...config, auth, serviceToken };
  },
  build: ({ env, policy, timings, simulatedCard, auth, serviceToken }, adapters) =>
    buildOrdersService({
      ...adapters,
      auth,
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      logLevel: env.OMNI_LOG_LEVEL as OrdersServiceDeps['logLevel'],
      catalogAddress: env.ORDERS_CATALOG_ADDR,
      inventoryAddress: env.ORDERS_INVENTORY_ADDR,
      customersAddress: env.ORDERS_CUSTOMERS_ADDR,
      serviceToken,
      policy,
      timings,
      simulatedCard,
    }),
});
