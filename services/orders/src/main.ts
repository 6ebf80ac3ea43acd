import { busConfigFromEnv, createBus } from '@omni/events';
import { clientCredentialsTokenSource, initTracing, stopOnSignals, failStartup } from '@omni/kit';
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
  // Outgoing gRPC calls carry orders' own token: client credentials from identity (deployments), or a
  // fixed token (ORDERS_SERVICE_TOKEN, for a quick local run against a known issuer).
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
    serviceToken,
    policy,
    timings,
    simulatedCard,
  });
  await svc.start();
  stopOnSignals(() => svc.stop(), svc.log);
}

main().catch((err: unknown) => failStartup('orders', err));
