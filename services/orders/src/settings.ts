/** Business policy and timings of the orders service (deps; main.ts maps them from the environment). */

export interface OrdersPolicy {
  /**
   * The promise (see README, "The promise"). Where local delivery goes is dispatch's zones and trip
   * limit, not a number here; these are the store-side times.
   * Minutes a store needs to pick and pack a delivery before the rider leaves.
   */
  deliveryPrepMinutes: number;
  /** An ASAP delivery is promised by now + prep + trip + this margin. */
  asapMarginMinutes: number;
  /** Delivery slots offered by a quote (the next free ones), and how far ahead they are looked for. */
  slotsOffered: number;
  slotHorizonHours: number;
  /** Pickup: ready by now + this. */
  pickupReadyMinutes: number;
  /** Ship: dispatched by the end of now + this many days (UTC). */
  shipDays: number;
  /** Locations an order may move to after the first one (placement fallbacks and re-routes). */
  maxRouteAttempts: number;
  /** Local delivery fee, minor units of the order currency. */
  deliveryFeeMinor: number;
  /** Late delivery, first tier: refund the delivery fee (card orders with a fee) or issue a coupon. */
  lateCompensation: 'refund_delivery_fee' | 'coupon';
  /** Goodwill coupon (customers' wallet): first tier without a fee to refund, and with a re-delivery. */
  lateCouponMinor: number;
  /** First tier from this many minutes beyond the promise. */
  lateFeeAfterMinutes: number;
  /** Beyond this many minutes: free order (full refund) or re-delivery, at the customer's choice. */
  lateFreeOrderAfterMinutes: number;
  /** How long the customer has to choose; then `lateDefaultRemedy` applies. */
  lateChoiceMinutes: number;
  lateDefaultRemedy: 'free_order' | 'redelivery';
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
  /** How often late orders whose customer did not choose a remedy in time get the default. */
  lateRemedySweepMs?: number;
  /** How long cancel/ship/receive requests wait for their workflow. */
  commandWaitMs: number;
  /** Deadline of gRPC calls made while placing (pricing, routing, customer lookup). */
  lookupTimeoutMs: number;
  /** How often the carrier's tracking of shipped parcels is read. */
  carrierTrackingMs: number;
}

export const DEFAULT_POLICY: OrdersPolicy = {
  deliveryPrepMinutes: 15,
  asapMarginMinutes: 15,
  slotsOffered: 4,
  slotHorizonHours: 24,
  pickupReadyMinutes: 30,
  shipDays: 1,
  maxRouteAttempts: 3,
  deliveryFeeMinor: 499,
  lateCompensation: 'refund_delivery_fee',
  lateCouponMinor: 500,
  lateFeeAfterMinutes: 1,
  lateFreeOrderAfterMinutes: 60,
  lateChoiceMinutes: 30,
  lateDefaultRemedy: 'free_order',
  noShowFeeMinor: 0,
  pointValueMinor: 1,
  reservationTtlSeconds: 8 * 24 * 3600,
  maxLines: 50,
  maxQtyPerLine: 99,
  shortPickPolicy: 'reroute',
  returnWindowDays: 30,
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
