import { createStore, storeConfigFromEnv } from '@omni/store';
import { createBus, busConfigFromEnv } from '@omni/events';
import { initTracing, stopOnSignals, failStartup } from '@omni/kit';
import { loadCustomersConfig } from './config';
import { parseLevels } from './domain/points';
import { buildCustomersService } from './service';

/** Standalone entry: config from env → store and bus from env → build → start → stop on signals. */
const config = loadCustomersConfig();
initTracing({ serviceName: 'customers' });
if (!config.OMNI_JWKS_URL) {
  console.error('customers: OMNI_JWKS_URL is required standalone (the identity service key set); `npm start` runs everything embedded');
  process.exit(1);
}
const store = createStore(storeConfigFromEnv(process.env, 'customers'));
const bus = createBus(busConfigFromEnv(process.env, { clientId: 'customers' }));
const service = buildCustomersService({
  store,
  bus,
  auth: {
    keys: { jwksUrl: config.OMNI_JWKS_URL },
    issuer: config.OMNI_JWT_ISSUER,
    audience: config.OMNI_JWT_AUDIENCE,
  },
  http: { host: config.OMNI_HTTP_HOST, port: config.OMNI_HTTP_PORT },
  grpc: { port: config.OMNI_GRPC_PORT },
  logLevel: config.OMNI_LOG_LEVEL,
  points: {
    pointsPerMajorUnit: config.CUSTOMERS_POINTS_PER_MAJOR_UNIT,
    validityDays: config.CUSTOMERS_POINTS_VALIDITY_DAYS,
    levels: parseLevels(config.CUSTOMERS_LEVELS),
  },
  ...(config.CUSTOMERS_DEFAULT_COUNTRY_CODE ? { defaultCountryCode: config.CUSTOMERS_DEFAULT_COUNTRY_CODE } : {}),
  expiryIntervalMs: config.CUSTOMERS_EXPIRY_INTERVAL_MS,
});
await service.start().catch((err: unknown) => failStartup('customers', err));
stopOnSignals(() => service.stop(), service.log);
