import { loadConfig, runService } from '@omni/kit';
import { DispatchEnv, settingsFromEnv } from './config';
import { buildDispatchService } from './service';

/** Standalone dispatch: MongoDB / Kafka when configured, the embedded adapters otherwise. */
void runService({
  name: 'dispatch',
  config: () => loadConfig(DispatchEnv),
  build: (env, adapters) =>
    buildDispatchService({
      ...adapters,
      auth: {
        keys: env.OMNI_JWKS_URL ? { jwksUrl: env.OMNI_JWKS_URL } : { jwks: { keys: [] } },
        issuer: env.OMNI_JWT_ISSUER,
        audience: env.OMNI_JWT_AUDIENCE,
      },
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      logLevel: env.OMNI_LOG_LEVEL as 'info',
      settings: settingsFromEnv(env),
    }),
});
