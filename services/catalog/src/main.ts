import { busConfigFromEnv, createBus } from '@omni/events';
import { initTracing, loadConfig, stopOnSignals, failStartup } from '@omni/kit';
import { createStore, storeConfigFromEnv } from '@omni/store';
import { CatalogEnv } from './config';
import { buildCatalogService, type CatalogDeps } from './service';

/** Standalone catalog: its own store and bus from the environment, on 8081 / gRPC 50051 by default. */
async function main(): Promise<void> {
  const env = loadConfig(CatalogEnv);
  initTracing({ serviceName: 'catalog', ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}) });
  if (!env.OMNI_JWKS_URL) throw new Error('OMNI_JWKS_URL is required: the catalog verifies tokens with the identity service keys');
  const svc = buildCatalogService({
    store: createStore(storeConfigFromEnv(process.env, 'catalog')),
    bus: createBus(busConfigFromEnv(process.env, { clientId: 'catalog' })),
    auth: { keys: { jwksUrl: env.OMNI_JWKS_URL }, issuer: env.OMNI_JWT_ISSUER, audience: env.OMNI_JWT_AUDIENCE },
    http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
    grpc: { port: env.OMNI_GRPC_PORT },
    logLevel: env.OMNI_LOG_LEVEL as CatalogDeps['logLevel'],
  });
  await svc.start();
  stopOnSignals(() => svc.stop(), svc.log);
}

main().catch((err: unknown) => failStartup('catalog', err));
