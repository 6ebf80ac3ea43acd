import { jwksAuthFromEnv, loadConfig, runService } from '@omni/kit';
import { InventoryEnv } from './config';
import { buildInventoryService, type InventoryDeps } from './service';

/** Standalone inventory: its own store and bus from the environment, on 8082 / gRPC 50052 by default. */
void runService({
  name: 'inventory',
  config: () => {
    const env = loadConfig(InventoryEnv);
    return { ...env, auth: jwksAuthFromEnv(env, 'inventory') };
  },
  build: (env, adapters) =>
    buildInventoryService({
      ...adapters,
      auth: env.auth,
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      grpc: { port: env.OMNI_GRPC_PORT },
      logLevel: env.OMNI_LOG_LEVEL as InventoryDeps['logLevel'],
      settings: {
        reservationTtlSeconds: env.INVENTORY_RESERVATION_TTL_SECONDS,
        availabilityDebounceMs: env.INVENTORY_AVAILABILITY_DEBOUNCE_MS,
        expirySweepMs: env.INVENTORY_EXPIRY_SWEEP_MS,
        onlineLowThreshold: env.INVENTORY_ONLINE_LOW_THRESHOLD,
        storeLowThreshold: env.INVENTORY_STORE_LOW_THRESHOLD,
      },
    }),
});
