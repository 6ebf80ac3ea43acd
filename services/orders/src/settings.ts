/** Business policy and timings of the orders service (deps; main.ts maps them from the environment). */

export interface OrdersPolicy {
  /** Local delivery from a store: radius, km. */
  deliveryRadiusKm: number;
  /** Local delivery from a warehouse (fallback): radius, km. */
  warehouseDeliveryRadiusKm: number;
  /** Locations an order may move to after the first one (placement fallbacks and re-routes). */
  maxRouteAttempts: number;
  /** Local delivery fee, minor units of the order currency. */
  deliveryFeeMinor: number;
  /** Late delivery: refund the delivery fee (card orders with a fee) or issue a coupon. */
  lateCompensation: 'refund_delivery_fee' | 'coupon';
  lateCouponMinor: number;
  /** Pickup no-show: captured from the authorisation before voiding the rest (0 = full refund). */
  noShowFeeMinor: number;
  /** Value of one loyalty point, minor units. */
  pointValueMinor: number;
  /** Reservation TTL asked of inventory: must outlive the pickup hold period. */
  reservationTtlSeconds: number;
  /**
   * A short pick at a warehouse or shipping store (ship orders): re-route the whole order to a
   * location that has everything (default), or cancel the short units and ship the rest.
   */
  shortPickPolicy: 'reroute' | 'cancel_lines';
  /** Days after completion a product may be returned, unless its return policy says otherwise. */
  returnWindowDays: number;
  /**
   * Points customers accrue per major currency unit of a completed order (customers'
   * CUSTOMERS_POINTS_PER_MAJOR_UNIT): a refunded return takes back as many per refunded unit.
   */
  pointsEarnedPerMajorUnit: number;
  /** Max lines and units per line of one order. */
  maxLines: number;
  maxQtyPerLine: number;
}

export interface OrdersTimings {
  /** Deadline of one attempt of one saga step (each gRPC/payment call). */
  stepTimeoutMs: number;
  /** Attempts of a forward step on transient failures before the saga compensates. */
  maxStepAttempts: number;
  /** Backoff between attempts: base, doubled per attempt, capped. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Extra lease time over the step deadline before another instance may take a saga over. */
  leaseSlackMs: number;
  /** How often unfinished sagas are looked for (crash recovery, missed kicks). */
  resumeIntervalMs: number;
  /** Orders read per page by the resume sweep. Default 1000. */
  resumeBatch?: number;
  /** How long POST /v1/orders waits for the saga before answering 202. */
  placeWaitMs: number;
  /** How long cancel/ship/receive requests wait for their workflow. */
  commandWaitMs: number;
  /** Deadline of gRPC calls made while placing (pricing, routing, customer lookup). */
  lookupTimeoutMs: number;
  /** How often the carrier's tracking of shipped parcels is read. */
  carrierTrackingMs: number;
}

export const DEFAULT_POLICY: OrdersPolicy = {
  deliveryRadiusKm: 5,
  warehouseDeliveryRadiusKm: 50,
  maxRouteAttempts: 3,
  deliveryFeeMinor: 499,
  lateCompensation: 'refund_delivery_fee',
  lateCouponMinor: 500,
  noShowFeeMinor: 0,
  pointValueMinor: 1,
  reservationTtlSeconds: 8 * 24 * 3600,
  maxLines: 50,
  maxQtyPerLine: 99,
  shortPickPolicy: 'reroute',
  returnWindowDays: 30,
  pointsEarnedPerMajorUnit: 1,
};

export const DEFAULT_TIMINGS: OrdersTimings = {
  stepTimeoutMs: 5_000,
  maxStepAttempts: 4,
  retryBaseMs: 100,
  retryMaxMs: 5_000,
  leaseSlackMs: 2_000,
  resumeIntervalMs: 2_000,
  placeWaitMs: 15_000,
  commandWaitMs: 15_000,
  lookupTimeoutMs: 3_000,
  carrierTrackingMs: 5_000,
};
