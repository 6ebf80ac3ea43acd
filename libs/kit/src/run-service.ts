import type { Logger } from 'pino';
import type { AuthenticatorOptions } from './auth';
import { busConfigFromEnv, createBus, type EventBus } from '@omni/events';
import { createStore, storeConfigFromEnv, type DocumentStore } from '@omni/store';
import { clientCredentialsTokenSource } from './service-token';
import { stopOnSignals } from './signals';
import { failStartup } from './startup';
import { initTracing } from './tracing';

/** What a standalone main.ts starts: a built service (Service or a service's wrapper around it). */
export interface Runnable {
  readonly log: Logger;
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface RunServiceOptions<E, S extends Runnable> {
  /** Service name: tracing resource, store database, bus client id, the startup error prefix. */
  name: string;
  /** Reads and checks the environment; throws on anything missing or wrong (before any adapter exists). */
  config: () => E;
  /** Builds the service from its config and the adapters the environment names. */
  build: (env: E, adapters: { store: DocumentStore; bus: EventBus }) => S;
  /** Work once the service serves (bootstrap accounts, warnings that need its logger). */
  afterStart?: (svc: S, env: E) => Promise<void>;
}

/**
 * The one way a standalone main.ts boots: config → tracing → store and bus from the environment →
 * build → start → stop on SIGTERM/SIGINT. Any failure on the way ends the process through
 * failStartup (one line naming the variable for configuration errors).
 */
export function runService<E, S extends Runnable>(opts: RunServiceOptions<E, S>): Promise<S | void> {
  const boot = async (): Promise<S> => {
    const env = opts.config();
    const otlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    initTracing({ serviceName: opts.name, ...(otlp ? { otlpEndpoint: otlp } : {}) });
    const svc = opts.build(env, {
      store: createStore(storeConfigFromEnv(process.env, opts.name)),
      bus: createBus(busConfigFromEnv(process.env, { clientId: opts.name })),
    });
    await svc.start();
    await opts.afterStart?.(svc, env);
    stopOnSignals(() => svc.stop(), svc.log);
    return svc;
  };
  return boot().catch((err: unknown) => failStartup(opts.name, err));
}

/**
 * A standalone service's token verification: identity's key set over HTTP. Without
 * `OMNI_JWKS_URL` it cannot verify anything, so it refuses to start (one line naming the variable).
 */
export function jwksAuthFromEnv(
  env: { OMNI_JWKS_URL?: string; OMNI_JWT_ISSUER: string; OMNI_JWT_AUDIENCE: string },
  service: string,
): AuthenticatorOptions {
  if (!env.OMNI_JWKS_URL)
    throw new Error(
      `OMNI_JWKS_URL is required: ${service} verifies tokens with the identity service keys (\`npm start\` runs everything embedded)`,
    );
  return {
    keys: { jwksUrl: env.OMNI_JWKS_URL },
    issuer: env.OMNI_JWT_ISSUER,
    audience: env.OMNI_JWT_AUDIENCE,
  };
}

/**
 * The token a standalone service's outgoing gRPC calls carry: client credentials from identity
 * (OMNI_IDENTITY_URL + OMNI_CLIENT_SECRET; client id OMNI_CLIENT_ID, else the service's name), or a
 * fixed token (`fixed`, for a quick local run against a known issuer). Neither → it refuses to start,
 * naming both ways.
 */
export function serviceTokenFromEnv(
  service: string,
  fixed: { variable: string; value: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<string> {
  const identityUrl = env.OMNI_IDENTITY_URL;
  const clientSecret = env.OMNI_CLIENT_SECRET;
  if (identityUrl && clientSecret)
    return clientCredentialsTokenSource({
      identityUrl,
      clientId: env.OMNI_CLIENT_ID ?? service,
      clientSecret,
    });
  const token = fixed.value;
  if (token) return async () => token;
  throw new Error(`set OMNI_IDENTITY_URL + OMNI_CLIENT_SECRET (client credentials) or ${fixed.variable}`);
}
