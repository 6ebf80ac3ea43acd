import { jwksAuthFromEnv, loadConfig, runService } from '@omni/kit';
import { DispatchEnv, settingsFromEnv } from './config';
import { buildDispatchService } from './service';

/** Standalone dispatch: MongoDB / Kafka when configured, the embedded adapters otherwise. */
void runService({
  name: 'dispatch',
  config: () => loadConfig(DispatchEnv),
  build: (env, adapters) =>
    buildDispatchService({
      ...adapters,
      // Like every service: no identity keys, no start (an empty key set would refuse every token).
      auth: jwksAuthFromEnv(env, 'dispatch'),
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      logLevel: env.OMNI_LOG_LEVEL as 'info',
      settings: settingsFromEnv(env),
    }),
});
