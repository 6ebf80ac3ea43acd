import { BaseEnv, loadConfig } from '@omni/kit';
import { Type, type Static } from 'typebox';
import { DEFAULT_POLICY, DEFAULT_TIMINGS, type OrdersPolicy, type OrdersTimings } from './settings';
import type { SimulatedCardOptions } from './payment/simulated-card';

/** Environment of the standalone orders process (BaseEnv plus orders' own settings). */
export const OrdersEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8084 }),
  ORDERS_CATALOG_ADDR: Type.String({ minLength: 1, default: '127.0.0.1:50051' }),
  ORDERS_INVENTORY_ADDR: Type.String({ minLength: 1, default: '127.0.0.1:50052' }),
  ORDERS_CUSTOMERS_ADDR: Type.String({ minLength: 1, default: '127.0.0.1:50053' }),
  /** Service token (issued by identity) with catalog:read inventory:read inventory:reserve customers:read customers:write. */
  /** A fixed outgoing token; deployments use client credentials instead (OMNI_IDENTITY_URL, OMNI_CLIENT_ID, OMNI_CLIENT_SECRET). */
  ORDERS_SERVICE_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  ORDERS_DELIVERY_PREP_MINUTES: Type.Integer({
    minimum: 0,
    maximum: 240,
    default: DEFAULT_POLICY.deliveryPrepMinutes,
  }),
  ORDERS_PICKUP_READY_MINUTES: Type.Integer({
    minimum: 0,
    maximum: 7 * 24 * 60,
    default: DEFAULT_POLICY.pickupReadyMinutes,
  }),
  ORDERS_MAX_ROUTE_ATTEMPTS: Type.Integer({
    minimum: 0,
    maximum: 20,
    default: DEFAULT_POLICY.maxRouteAttempts,
  }),
  ORDERS_DELIVERY_FEE_MINOR: Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    default: DEFAULT_POLICY.deliveryFeeMinor,
  }),
  ORDERS_LATE_COMPENSATION: Type.Union([Type.Literal('refund_delivery_fee'), Type.Literal('coupon')], {
    default: DEFAULT_POLICY.lateCompensation,
  }),
  ORDERS_LATE_COUPON_MINOR: Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    default: DEFAULT_POLICY.lateCouponMinor,
  }),
  ORDERS_LATE_FEE_AFTER_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 1_440,
    default: DEFAULT_POLICY.lateFeeAfterMinutes,
  }),
  ORDERS_LATE_FREE_ORDER_AFTER_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 1_440,
    default: DEFAULT_POLICY.lateFreeOrderAfterMinutes,
  }),
  ORDERS_LATE_CHOICE_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 10_080,
    default: DEFAULT_POLICY.lateChoiceMinutes,
  }),
  ORDERS_LATE_DEFAULT_REMEDY: Type.Union([Type.Literal('free_order'), Type.Literal('redelivery')], {
    default: DEFAULT_POLICY.lateDefaultRemedy,
  }),
  ORDERS_NO_SHOW_FEE_MINOR: Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    default: DEFAULT_POLICY.noShowFeeMinor,
  }),
  ORDERS_POINT_VALUE_MINOR: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: DEFAULT_POLICY.pointValueMinor,
  }),
  ORDERS_RESERVATION_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 90 * 24 * 3600,
    default: DEFAULT_POLICY.reservationTtlSeconds,
  }),
  ORDERS_STEP_TIMEOUT_MS: Type.Integer({
    minimum: 50,
    maximum: 120_000,
    default: DEFAULT_TIMINGS.stepTimeoutMs,
  }),
  ORDERS_MAX_STEP_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 50,
    default: DEFAULT_TIMINGS.maxStepAttempts,
  }),
  ORDERS_PLACE_WAIT_MS: Type.Integer({ minimum: 0, maximum: 120_000, default: DEFAULT_TIMINGS.placeWaitMs }),
  ORDERS_RESUME_INTERVAL_MS: Type.Integer({
    minimum: 50,
    maximum: 600_000,
    default: DEFAULT_TIMINGS.resumeIntervalMs,
  }),
  /** Simulated card provider: latency, transient failure rate, tokens that decline. */
  ORDERS_PAYMENT_LATENCY_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 0 }),
  ORDERS_PAYMENT_FAILURE_RATE: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  ORDERS_PAYMENT_DECLINE_TOKENS: Type.String({ default: 'tok_decline' }),
  ORDERS_PAYMENT_HANG: Type.Boolean({ default: false }),
});
export type OrdersEnv = Static<typeof OrdersEnv>;

export interface OrdersConfig {
  env: OrdersEnv;
  policy: Partial<OrdersPolicy>;
  timings: Partial<OrdersTimings>;
  simulatedCard: SimulatedCardOptions;
}

export function loadOrdersConfig(source: Record<string, string | undefined> = process.env): OrdersConfig {
  const env = loadConfig(OrdersEnv, source);
  return {
    env,
    policy: {
      deliveryPrepMinutes: env.ORDERS_DELIVERY_PREP_MINUTES,
      pickupReadyMinutes: env.ORDERS_PICKUP_READY_MINUTES,
      maxRouteAttempts: env.ORDERS_MAX_ROUTE_ATTEMPTS,
      deliveryFeeMinor: env.ORDERS_DELIVERY_FEE_MINOR,
      lateCompensation: env.ORDERS_LATE_COMPENSATION as OrdersPolicy['lateCompensation'],
      lateCouponMinor: env.ORDERS_LATE_COUPON_MINOR,
      lateFeeAfterMinutes: env.ORDERS_LATE_FEE_AFTER_MINUTES,
      lateFreeOrderAfterMinutes: env.ORDERS_LATE_FREE_ORDER_AFTER_MINUTES,
      lateChoiceMinutes: env.ORDERS_LATE_CHOICE_MINUTES,
      lateDefaultRemedy: env.ORDERS_LATE_DEFAULT_REMEDY as OrdersPolicy['lateDefaultRemedy'],
      noShowFeeMinor: env.ORDERS_NO_SHOW_FEE_MINOR,
      pointValueMinor: env.ORDERS_POINT_VALUE_MINOR,
      reservationTtlSeconds: env.ORDERS_RESERVATION_TTL_SECONDS,
    },
    timings: {
      stepTimeoutMs: env.ORDERS_STEP_TIMEOUT_MS,
      maxStepAttempts: env.ORDERS_MAX_STEP_ATTEMPTS,
      placeWaitMs: env.ORDERS_PLACE_WAIT_MS,
      resumeIntervalMs: env.ORDERS_RESUME_INTERVAL_MS,
    },
    simulatedCard: {
      latencyMs: env.ORDERS_PAYMENT_LATENCY_MS,
      failureRate: env.ORDERS_PAYMENT_FAILURE_RATE,
      declineTokens: env.ORDERS_PAYMENT_DECLINE_TOKENS.split(',').filter(Boolean),
      hangAll: env.ORDERS_PAYMENT_HANG,
    },
  };
}
