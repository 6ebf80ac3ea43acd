import { Type, type Static } from 'typebox';
import { BaseEnv } from '@omni/kit';
import type { DispatchSettingsInput } from './settings';

/** Environment of the standalone dispatch service (every setting has a default). */
export const DispatchEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8086 }),
  DISPATCH_OFFER_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 30_000 }),
  DISPATCH_STORE_CONFIRM_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 180_000 }),
  DISPATCH_DEFAULT_PROMISE_MINUTES: Type.Integer({ minimum: 5, maximum: 24 * 60, default: 60 }),
  DISPATCH_READY_LEAD_MS: Type.Integer({ minimum: 0, default: 300_000 }),
  DISPATCH_STALE_LOCATION_MS: Type.Integer({ minimum: 1_000, default: 60_000 }),
  DISPATCH_SEARCH_BACKOFF_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  DISPATCH_SEARCH_BACKOFF_MAX_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  DISPATCH_NO_RIDER_ALERT_AFTER: Type.Integer({ minimum: 1, default: 3 }),
  DISPATCH_MAX_DETOUR_MINUTES: Type.Number({ minimum: 0, maximum: 120, default: 10 }),
  DISPATCH_STOP_MINUTES: Type.Number({ minimum: 0, maximum: 30, default: 2 }),
  DISPATCH_SEARCH_RADIUS_KM: Type.Number({ minimum: 0.5, maximum: 100, default: 12 }),
  DISPATCH_SPEED_BIKE_KMH: Type.Number({ minimum: 1, maximum: 200, default: 15 }),
  DISPATCH_SPEED_SCOOTER_KMH: Type.Number({ minimum: 1, maximum: 200, default: 25 }),
  DISPATCH_SPEED_CAR_KMH: Type.Number({ minimum: 1, maximum: 200, default: 30 }),
  DISPATCH_DETOUR_FACTOR: Type.Number({ minimum: 1, maximum: 3, default: 1.3 }),
  DISPATCH_POD_RADIUS_M: Type.Integer({ minimum: 10, maximum: 5_000, default: 150 }),
  DISPATCH_POD_MAX_CODE_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
  DISPATCH_TICK_MS: Type.Integer({ minimum: 100, default: 1_000 }),
});
export type DispatchEnv = Static<typeof DispatchEnv>;

export function settingsFromEnv(env: DispatchEnv): DispatchSettingsInput {
  return {
    offerTimeoutMs: env.DISPATCH_OFFER_TIMEOUT_MS,
    storeConfirmTimeoutMs: env.DISPATCH_STORE_CONFIRM_TIMEOUT_MS,
    defaultPromiseMs: env.DISPATCH_DEFAULT_PROMISE_MINUTES * 60_000,
    readyLeadMs: env.DISPATCH_READY_LEAD_MS,
    searchBackoffMs: env.DISPATCH_SEARCH_BACKOFF_MS,
    searchBackoffMaxMs: env.DISPATCH_SEARCH_BACKOFF_MAX_MS,
    noRiderAlertAfter: env.DISPATCH_NO_RIDER_ALERT_AFTER,
    podRadiusM: env.DISPATCH_POD_RADIUS_M,
    podMaxCodeAttempts: env.DISPATCH_POD_MAX_CODE_ATTEMPTS,
    tickMs: env.DISPATCH_TICK_MS,
    travel: {
      speedsKmh: {
        bike: env.DISPATCH_SPEED_BIKE_KMH,
        scooter: env.DISPATCH_SPEED_SCOOTER_KMH,
        car: env.DISPATCH_SPEED_CAR_KMH,
      },
      detourFactor: env.DISPATCH_DETOUR_FACTOR,
    },
    assignment: {
      staleLocationMs: env.DISPATCH_STALE_LOCATION_MS,
      maxDetourMs: env.DISPATCH_MAX_DETOUR_MINUTES * 60_000,
      stopMs: env.DISPATCH_STOP_MINUTES * 60_000,
      searchRadiusKm: env.DISPATCH_SEARCH_RADIUS_KM,
    },
  };
}
