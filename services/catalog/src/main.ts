import { jwksAuthFromEnv, loadConfig, runService } from '@omni/kit';
import { CatalogEnv } from './config';
import { buildCatalogService, type CatalogDeps } from './service';

/** Standalone catalog: its own store and bus from the environment, on 8081 / gRPC 50051 by default. */
void runService({
  name: 'catalog',
  config: () => {
    const env = loadConfig(CatalogEnv);
    return { ...env, auth: jwksAuthFromEnv(env, 'catalog') };
  },
  build: (env, adapters) =>
    buildCatalogService({
      ...adapters,
      auth: env.auth,
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      grpc: { port: env.OMNI_GRPC_PORT },
      logLevel: env.OMNI_LOG_LEVEL as CatalogDeps['logLevel'],
      parity: env.OMNI_CATALOG_PARITY === 'on',
    }),
});
