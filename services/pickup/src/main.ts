import { randomBytes } from 'node:crypto';
import { jwksAuthFromEnv, loadConfig, runService } from '@omni/kit';
import { PickupEnv } from './config';
import { buildPickupService } from './service';
import { WebhookNotifier } from './notifications/webhook-notifier';

/** Standalone pickup service: env → adapters → build → start. */
void runService({
  name: 'pickup',
  config: () => {
    const env = loadConfig(PickupEnv);
    const auth = jwksAuthFromEnv(env, 'pickup');
    if ((env.MONGO_URL || env.OMNI_DATA_DIR) && !env.PICKUP_CODE_SECRET) {
      // The codes of stored tasks derive from the secret: a random one would change them on restart.
      throw new Error('PICKUP_CODE_SECRET is required with durable storage (MONGO_URL or OMNI_DATA_DIR)');
    }
    return { ...env, auth };
  },
  build: (env, adapters) => {
    const svc = buildPickupService({
      ...adapters,
      auth: env.auth,
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      logLevel: env.OMNI_LOG_LEVEL as 'info',
      codeSecret: env.PICKUP_CODE_SECRET ?? randomBytes(32),
      codeDigits: env.PICKUP_CODE_DIGITS,
      stores: env.PICKUP_STORES?.split(',') ?? [],
      timings: {
        sweepIntervalMs: env.PICKUP_SWEEP_INTERVAL_MS,
        notifyIntervalMs: env.PICKUP_NOTIFY_INTERVAL_MS,
        notificationMaxSends: env.PICKUP_NOTIFY_MAX_SENDS,
      },
      notifier: env.PICKUP_NOTIFY_WEBHOOK_URL
        ? new WebhookNotifier({
            url: env.PICKUP_NOTIFY_WEBHOOK_URL,
            secret: env.PICKUP_NOTIFY_WEBHOOK_SECRET,
            timeoutMs: env.PICKUP_NOTIFY_TIMEOUT_MS,
            attempts: env.PICKUP_NOTIFY_ATTEMPTS,
          })
        : undefined,
    });
    if (!env.PICKUP_CODE_SECRET)
      svc.log.warn('PICKUP_CODE_SECRET not set: random secret, pickup codes change on restart');
    return svc;
  },
});
