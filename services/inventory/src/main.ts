import { busConfigFromEnv, createBus } from '@omni/events';
import { initTracing, loadConfig, stopOnSignals, failStartup } from '@omni/kit';
import { createStore, storeConfigFromEnv } from '@omni/store';
import { InventoryEnv } from './config';
import { buildInventoryService, type InventoryDeps } from './service';

/** Standalone inventory: its own store and bus from the environment, on 8082 / gRPC 50052 by default. */
async function main(): Promise<void> {
  const env = loadConfig(InventoryEnv);
  initTracing({
    serviceName: 'inventory',
    ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });
  if (!env.OMNI_JWKS_URL)
    throw new Error('OMNI_JWKS_URL is required: inventory verifies tokens with the identity service keys');
  const svc = buildInventoryService({
    store: createStore(storeConfigFromEnv(process.env, 'inventory')),
    bus: createBus(busConfigFromEnv(process.env, { clientId: 'inventory' })),
    auth: {
      keys: { jwksUrl: env.OMNI_JWKS_URL },
      issuer: env.OMNI_JWT_ISSUER,
      audience: env.OMNI_JWT_AUDIENCE,
    },
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
  });
  await svc.start();
  stopOnSignals(() => svc.stop(), svc.log);
}

main().catch((err: unknown) => failStartup('inventory', err));
