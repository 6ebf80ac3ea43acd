import { loadConfig, runService } from '@omni/kit';
import { CatalogEnv } from './config';
import { buildCatalogService, type CatalogDeps } from './service';

/** Standalone catalog: its own store and bus from the environment, on 8081 / gRPC 50051 by default. */
void runService({
  name: 'catalog',
  config: () => {
    const env = loadConfig(CatalogEnv);
    if (!env.OMNI_JWKS_URL)
      throw new Error(
        'OMNI_JWKS_URL is required: the catalog verifies tokens with the identity service keys',
      );
    return { ...env, OMNI_JWKS_URL: env.OMNI_JWKS_URL };
  },
  build: (env, adapters) =>
    buildCatalogService({
      ...adapters,
      auth: {
        keys: { jwksUrl: env.OMNI_JWKS_URL },
        issuer: env.OMNI_JWT_ISSUER,
        audience: env.OMNI_JWT_AUDIENCE,
      },
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      grpc: { port: env.OMNI_GRPC_PORT },
      logLevel: env.OMNI_LOG_LEVEL as CatalogDeps['logLevel'],
    }),
});
