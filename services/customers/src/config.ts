import { Type, type Static } from 'typebox';
import { BaseEnv, loadConfig } from '@omni/kit';

/** Environment of the customers service (BaseEnv plus points/level policy and identity settings). */
export const CustomersEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8083 }),
  OMNI_GRPC_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 50053 }),
  /** Points per whole unit of the order currency (1 = one point per euro/dollar/yen). */
  CUSTOMERS_POINTS_PER_MAJOR_UNIT: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 1 }),
  /** Days a lot of points stays valid after it was earned. */
  CUSTOMERS_POINTS_VALIDITY_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 365 }),
  /** Member levels by lifetime points: "name:min,name:min,..." (first must be 0). */
  CUSTOMERS_LEVELS: Type.String({ pattern: '^[a-z][a-z0-9_-]*:\\d+(,[a-z][a-z0-9_-]*:\\d+)*$', default: 'basic:0,silver:1000,gold:5000' }),
  /** Country calling code for national phone numbers written with a leading 0 (e.g. 44). */
  CUSTOMERS_DEFAULT_COUNTRY_CODE: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,2}$' })),
  /** How often the points expiry sweep runs (0 = never; call expireDue instead). */
  CUSTOMERS_EXPIRY_INTERVAL_MS: Type.Integer({ minimum: 0, default: 3_600_000 }),
  /** Validity of late-delivery coupons, days. */
  CUSTOMERS_COUPON_VALIDITY_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  /** Order notifications go to this messaging gateway (signed when a secret is set); unset: a log line. */
  CUSTOMERS_NOTIFY_WEBHOOK_URL: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
  CUSTOMERS_NOTIFY_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16, maxLength: 500 })),
  CUSTOMERS_NOTIFY_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000 }),
  CUSTOMERS_NOTIFY_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
});
export type CustomersEnv = Static<typeof CustomersEnv>;

export function loadCustomersConfig(env: Record<string, string | undefined> = process.env): CustomersEnv {
  return loadConfig(CustomersEnv, env);
}
