import { createStore, storeConfigFromEnv } from '@omni/store';
import { busConfigFromEnv, createBus } from '@omni/events';
import { initTracing, loadConfig, stopOnSignals, failStartup } from '@omni/kit';
import { DispatchEnv, settingsFromEnv } from './config';
import { buildDispatchService } from './service';

/** Standalone dispatch: MongoDB / Kafka when configured, the embedded adapters otherwise. */
const env = loadConfig(DispatchEnv);
initTracing({ serviceName: 'dispatch' });
const svc = buildDispatchService({
  store: createStore(storeConfigFromEnv(process.env, 'dispatch')),
  bus: createBus(busConfigFromEnv(process.env, { clientId: 'dispatch' })),
  auth: {
    keys: env.OMNI_JWKS_URL ? { jwksUrl: env.OMNI_JWKS_URL } : { jwks: { keys: [] } },
    issuer: env.OMNI_JWT_ISSUER,
    audience: env.OMNI_JWT_AUDIENCE,
  },
  http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
  logLevel: env.OMNI_LOG_LEVEL as 'info',
  settings: settingsFromEnv(env),
});
await svc.start().catch((err: unknown) => failStartup('dispatch', err));
stopOnSignals(() => svc.stop(), svc.log);
