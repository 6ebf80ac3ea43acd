import { Type, type Static } from 'typebox';
import { BaseEnv } from '@omni/kit';

/** Environment of the standalone identity service. */
export const IdentityEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8087 }),
  /** Encrypts TOTP secrets and private signing keys at rest. Required with durable storage. */
  IDENTITY_ENCRYPTION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  IDENTITY_ACCESS_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86_400, default: 900 }),
  IDENTITY_REFRESH_TTL_SECONDS: Type.Integer({ minimum: 300, default: 14 * 86_400 }),
  IDENTITY_SESSION_MAX_SECONDS: Type.Integer({ minimum: 300, default: 30 * 86_400 }),
  IDENTITY_KEY_ACTIVATION_DELAY_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 60 }),
  IDENTITY_PASSWORD_MIN_LENGTH: Type.Integer({ minimum: 8, maximum: 128, default: 12 }),
  IDENTITY_PASSWORD_MAX_AGE_DAYS: Type.Integer({ minimum: 0, maximum: 3650, default: 90 }),
  IDENTITY_PASSWORD_HISTORY: Type.Integer({ minimum: 1, maximum: 24, default: 5 }),
  /** scrypt cost: N = 2^logN (memory 128·N·r bytes). */
  IDENTITY_SCRYPT_LOG_N: Type.Integer({ minimum: 14, maximum: 20, default: 15 }),
  IDENTITY_LOCK_AFTER_FAILURES: Type.Integer({ minimum: 3, maximum: 100, default: 10 }),
  /** First start only: the ops account created when none exists (temporary password, TOTP enrolment forced). */
  IDENTITY_BOOTSTRAP_OPS_USERNAME: Type.Optional(Type.String({ minLength: 3 })),
  IDENTITY_BOOTSTRAP_OPS_PASSWORD: Type.Optional(Type.String({ minLength: 12 })),
  /** Public base URL published in /.well-known/openid-configuration (default: the listening address). */
  IDENTITY_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$' })),
  IDENTITY_LOCK_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
});
export type IdentityEnv = Static<typeof IdentityEnv>;
