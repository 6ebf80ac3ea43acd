import { randomBytes } from 'node:crypto';
import { jwksAuthFromEnv, loadConfig, runService, serviceTokenFromEnv } from '@omni/kit';
import { VouchersEnv } from './config';
import { grpcStock } from './inventory/grpc-stock';
import { buildVouchersService } from './service';

/** Standalone vouchers service: env → adapters → build → start (port 8088). */
void runService({
  name: 'vouchers',
  config: () => {
    const env = loadConfig(VouchersEnv);
    const auth = jwksAuthFromEnv(env, 'vouchers');
    if ((env.MONGO_URL || env.OMNI_DATA_DIR) && !env.VOUCHERS_CODE_SECRET) {
      // Codes of issued vouchers derive from the secret: a random one would change them on restart.
      throw new Error('VOUCHERS_CODE_SECRET is required with durable storage (MONGO_URL or OMNI_DATA_DIR)');
    }
    // Goods vouchers call inventory with vouchers' own token (client credentials, or a fixed token).
    const serviceToken = serviceTokenFromEnv('vouchers', {
      variable: 'VOUCHERS_SERVICE_TOKEN',
      value: env.VOUCHERS_SERVICE_TOKEN,
    });
    return { ...env, auth, serviceToken };
  },
  build: (env, adapters) => {
    const svc = buildVouchersService({
      ...adapters,
      auth: env.auth,
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      logLevel: env.OMNI_LOG_LEVEL as 'info',
      codeSecret: env.VOUCHERS_CODE_SECRET ?? randomBytes(32),
      stores: env.VOUCHERS_STORES.split(','),
      stock: grpcStock({ address: env.VOUCHERS_INVENTORY_ADDR, serviceToken: env.serviceToken }),
      throttle: {
        counterFailures: env.VOUCHERS_COUNTER_FAILURES,
        storeFailures: env.VOUCHERS_STORE_FAILURES,
        windowMs: env.VOUCHERS_THROTTLE_WINDOW_MS,
      },
      timings: { sweepIntervalMs: env.VOUCHERS_SWEEP_INTERVAL_MS },
    });
    if (!env.VOUCHERS_CODE_SECRET)
      svc.log.warn('VOUCHERS_CODE_SECRET not set: random secret, voucher codes change on restart');
    return svc;
  },
});
