import { jwksAuthFromEnv, runService } from '@omni/kit';
import { loadCustomersConfig } from './config';
import { parseLevels } from './domain/points';
import { WebhookNotifier } from './notifications/webhook-notifier';
import { buildCustomersService } from './service';

/** Standalone customers: its own store and bus from the environment (`npm start` runs everything embedded). */
void runService({
  name: 'customers',
  config: () => {
    const config = loadCustomersConfig();
    return { ...config, auth: jwksAuthFromEnv(config, 'customers') };
  },
  build: (config, adapters) =>
    buildCustomersService({
      ...adapters,
      auth: config.auth,
      http: { host: config.OMNI_HTTP_HOST, port: config.OMNI_HTTP_PORT },
      grpc: { port: config.OMNI_GRPC_PORT },
      logLevel: config.OMNI_LOG_LEVEL,
      points: {
        pointsPerMajorUnit: config.CUSTOMERS_POINTS_PER_MAJOR_UNIT,
        validityDays: config.CUSTOMERS_POINTS_VALIDITY_DAYS,
        levels: parseLevels(config.CUSTOMERS_LEVELS),
      },
      ...(config.CUSTOMERS_DEFAULT_COUNTRY_CODE
        ? { defaultCountryCode: config.CUSTOMERS_DEFAULT_COUNTRY_CODE }
        : {}),
      expiryIntervalMs: config.CUSTOMERS_EXPIRY_INTERVAL_MS,
      couponValidityDays: config.CUSTOMERS_COUPON_VALIDITY_DAYS,
      ...(config.CUSTOMERS_NOTIFY_WEBHOOK_URL
        ? {
            notifier: new WebhookNotifier({
              url: config.CUSTOMERS_NOTIFY_WEBHOOK_URL,
              ...(config.CUSTOMERS_NOTIFY_WEBHOOK_SECRET ? { secret: config.CUSTOMERS_NOTIFY_WEBHOOK_SECRET } : {}),
              timeoutMs: config.CUSTOMERS_NOTIFY_TIMEOUT_MS,
              attempts: config.CUSTOMERS_NOTIFY_ATTEMPTS,
            }),
          }
        : {}),
    }),
});
