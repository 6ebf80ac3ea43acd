import { BaseEnv } from '@omni/kit';
import { Type, type Static } from 'typebox';

/** Environment of the standalone inventory process (BaseEnv plus inventory's own settings). */
export const InventoryEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8082 }),
  OMNI_GRPC_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 50052 }),
  INVENTORY_RESERVATION_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 24 * 3600, default: 900 }),
  INVENTORY_AVAILABILITY_DEBOUNCE_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 250 }),
  INVENTORY_EXPIRY_SWEEP_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 1_000 }),
  INVENTORY_ONLINE_LOW_THRESHOLD: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 5 }),
  INVENTORY_STORE_LOW_THRESHOLD: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 2 }),
});
export type InventoryEnv = Static<typeof InventoryEnv>;
