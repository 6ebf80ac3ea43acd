import { clientCredentialsTokenSource, runService } from '@omni/kit';
import { loadOrdersConfig } from './config';
import { buildOrdersService, type OrdersServiceDeps } from './service';

/** Standalone orders: its own store and bus from the environment, on 8084 by default. */
void runService({
  name: 'orders',
  config: () => {
    const config = loadOrdersConfig();
    const { env } = config;
    if (!env.OMNI_JWKS_URL)
      throw new Error('OMNI_JWKS_URL is required: orders verifies tokens with the identity service keys');
    // Outgoing gRPC calls carry orders' own token: client credentials from identity (deployments), or
    // a fixed token (ORDERS_SERVICE_TOKEN, for a quick local run against a known issuer).
    const identityUrl = process.env.OMNI_IDENTITY_URL;
    const clientSecret = process.env.OMNI_CLIENT_SECRET;
    const fixedToken = env.ORDERS_SERVICE_TOKEN;
    const serviceToken =
      identityUrl && clientSecret
        ? clientCredentialsTokenSource({
            identityUrl,
            clientId: process.env.OMNI_CLIENT_ID ?? 'orders',
            clientSecret,
          })
        : fixedToken
          ? async () => fixedToken
          : undefined;
    if (!serviceToken)
      throw new Error(
        'set OMNI_IDENTITY_URL + OMNI_CLIENT_SECRET (client credentials) or ORDERS_SERVICE_TOKEN',
      );
    return { ...config, jwksUrl: env.OMNI_JWKS_URL, serviceToken };
  },
  build: ({ env, policy, timings, simulatedCard, jwksUrl, serviceToken }, adapters) =>
    buildOrdersService({
      ...adapters,
      auth: { keys: { jwksUrl }, issuer: env.OMNI_JWT_ISSUER, audience: env.OMNI_JWT_AUDIENCE },
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
