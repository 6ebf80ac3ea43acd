import { Type, type Static } from 'typebox';
import { BaseEnv } from '@omni/kit';

/** Environment of the standalone pickup service. */
export const PickupEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8085 }),
  /** Secret the pickup codes, their hashes and the QR signing key derive from. Required with durable storage. */
  PICKUP_CODE_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  PICKUP_CODE_DIGITS: Type.Integer({ minimum: 4, maximum: 10, default: 6 }),
  /** Comma-separated store ids that offer pickup (known before their first order; others are 404). */
  PICKUP_STORES: Type.Optional(
    Type.String({ maxLength: 20_000, pattern: '^[A-Za-z0-9._:-]+(,[A-Za-z0-9._:-]+)*$' }),
  ),
  /** Expiry, reminders and throttling run this often. */
  PICKUP_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 1000, default: 30_000 }),
  PICKUP_NOTIFY_INTERVAL_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  /** Customer notifications: `log` (default) or a webhook of the messaging gateway. */
  PICKUP_NOTIFY_WEBHOOK_URL: Type.Optional(Type.String({ format: 'uri' })),
  PICKUP_NOTIFY_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  PICKUP_NOTIFY_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000 }),
  PICKUP_NOTIFY_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
  PICKUP_NOTIFY_MAX_SENDS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
});
export type PickupEnv = Static<typeof PickupEnv>;
