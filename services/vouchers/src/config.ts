import { Type, type Static } from 'typebox';
import { BaseEnv } from '@omni/kit';

/** Environment of the standalone vouchers service. */
export const VouchersEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8088 }),
  /** Secret the voucher codes, their hashes and the QR signing key derive from. Required with durable storage. */
  VOUCHERS_CODE_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** Comma-separated store ids where vouchers are redeemed (inventory's store locations); others are 404. */
  VOUCHERS_STORES: Type.String({ maxLength: 20_000, pattern: '^[A-Za-z0-9._:-]+(,[A-Za-z0-9._:-]+)*$' }),
  /** Inventory gRPC, for goods vouchers (their goods are sold from the redeeming store's stock). */
  VOUCHERS_INVENTORY_ADDR: Type.String({ minLength: 1, default: '127.0.0.1:50052' }),
  /** A fixed outgoing token (inventory:reserve); deployments use client credentials instead. */
  VOUCHERS_SERVICE_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  VOUCHERS_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  /** Brute-force brake: failed look-ups per counter (store + account) and per store per window. */
  VOUCHERS_COUNTER_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  VOUCHERS_STORE_FAILURES: Type.Integer({ minimum: 1, maximum: 100_000, default: 100 }),
  VOUCHERS_THROTTLE_WINDOW_MS: Type.Integer({ minimum: 1000, default: 15 * 60_000 }),
});
export type VouchersEnv = Static<typeof VouchersEnv>;
