import { loadConfig, runService } from '@omni/kit';
import { IdentityEnv } from './config';
import { buildIdentityService } from './service';
import { bootstrapOps } from './app/bootstrap-ops';
import { bootstrapClientsFromEnv, bootstrapServiceClients } from './app/bootstrap-clients';

/** Standalone identity service: env → adapters → build → start. Other services set OMNI_JWKS_URL to its JWKS. */
void runService({
  name: 'identity',
  config: () => {
    const env = loadConfig(IdentityEnv);
    if ((env.MONGO_URL || env.OMNI_DATA_DIR) && !env.IDENTITY_ENCRYPTION_SECRET) {
      throw new Error(
        'IDENTITY_ENCRYPTION_SECRET is required with durable storage (MONGO_URL or OMNI_DATA_DIR)',
      );
    }
    return env;
  },
  build: (env, adapters) => {
    const svc = buildIdentityService({
      ...adapters,
      http: { host: env.OMNI_HTTP_HOST, port: env.OMNI_HTTP_PORT },
      logLevel: env.OMNI_LOG_LEVEL as 'info',
      encryptionSecret: env.IDENTITY_ENCRYPTION_SECRET,
      settings: {
        issuer: env.OMNI_JWT_ISSUER,
        audience: env.OMNI_JWT_AUDIENCE,
        accessTtlSeconds: env.IDENTITY_ACCESS_TTL_SECONDS,
        refreshTtlSeconds: env.IDENTITY_REFRESH_TTL_SECONDS,
        sessionMaxSeconds: env.IDENTITY_SESSION_MAX_SECONDS,
        keyActivationDelaySeconds: env.IDENTITY_KEY_ACTIVATION_DELAY_SECONDS,
        ...(env.IDENTITY_PUBLIC_URL ? { publicUrl: env.IDENTITY_PUBLIC_URL } : {}),
        password: {
          minLength: env.IDENTITY_PASSWORD_MIN_LENGTH,
          maxAgeDays: env.IDENTITY_PASSWORD_MAX_AGE_DAYS,
          historySize: env.IDENTITY_PASSWORD_HISTORY,
        },
        scrypt: { logN: env.IDENTITY_SCRYPT_LOG_N },
        accountBackoff: {
          lockAfter: env.IDENTITY_LOCK_AFTER_FAILURES,
          lockMs: env.IDENTITY_LOCK_MINUTES * 60_000,
        },
      },
    });
    if (!env.IDENTITY_ENCRYPTION_SECRET)
      svc.log.warn(
        'IDENTITY_ENCRYPTION_SECRET not set: TOTP secrets and signing keys are stored unencrypted',
      );
    return svc;
  },
  afterStart: async (svc, env) => {
    if (env.IDENTITY_BOOTSTRAP_OPS_USERNAME && env.IDENTITY_BOOTSTRAP_OPS_PASSWORD) {
      const { created } = await bootstrapOps(svc.context, {
        username: env.IDENTITY_BOOTSTRAP_OPS_USERNAME,
        password: env.IDENTITY_BOOTSTRAP_OPS_PASSWORD,
      });
      if (created)
        svc.log.warn(
          { username: env.IDENTITY_BOOTSTRAP_OPS_USERNAME },
          'bootstrap ops account created: sign in, change the password, enrol TOTP',
        );
    }
    const clients = bootstrapClientsFromEnv(process.env);
    if (Object.keys(clients).length > 0) {
      const result = await bootstrapServiceClients(svc.context, clients);
      svc.log.info({ clients: result }, 'service clients bootstrapped');
    }
  },
});
