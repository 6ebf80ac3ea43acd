import type { LimitedLine } from './purchase-limits';
/**
 * The order aggregate as stored (one document per order, `_id` = orderId). Everything the saga needs
 * to resume after a crash lives on it: the route and its history, the active reservation, payment and
 * points state, the running workflow (`saga`) and the workflows waiting behind it (`queue`).
 */

export type Channel = 'online' | 'store' | 'phone';
/** `voucher`: voucher-only orders (no stock reserved; the vouchers service issues codes on confirmation). */
export type FulfilmentMethod = 'ship' | 'pickup' | 'delivery' | 'voucher';
export type PaymentMethod = 'card' | 'cod';

export const ORDER_STATUSES = [
  'pending',
  'confirmed',
  'ready_for_pickup',
  'collected',
  'out_for_delivery',
  'delivered',
  'shipped',
  'cancelled',
  'failed',
  'returned',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Address {
  lines: string[];
  city: string;
  postalCode: string;
  country: string;
  geo?: GeoPoint;
}

export interface Line {
  sku: string;
  qty: number;
}

export interface PricedLine extends Line {
  unitPrice: Money;
  name?: string;
  /** Catalog product of the SKU (its return policy); absent on orders placed before it was kept. */
  productId?: string;
}

/** `virtual`: no place holds the goods (voucher orders). */
export type LocationType = 'store' | 'warehouse' | 'virtual';

/** A location routing looked at, and what it found there. */
export interface RouteCandidate {
  locationId: string;
  name?: string;
  /** Unknown for an excluded location inventory did not return. */
  type?: LocationType;
  distanceKm?: number;
  coversAll: boolean;
  /** Why it was not eligible (paused, already tried, outside the radius...). */
  skipped?: string;
}

/** Where the order is fulfilled from, and why. */
export interface RouteDecision {
  locationId: string;
  locationType: LocationType;
  locationName?: string;
  distanceKm?: number;
  reason: string;
  candidates: RouteCandidate[];
  /** Route attempt that produced this decision (0 = first location tried). */
  attempt: number;
  decidedAt: string;
}

export type { OrderPromise } from './promise';
import type { OrderPromise } from './promise';

export interface Fulfilment {
  method: FulfilmentMethod;
  /** The location that fulfils the order (store or warehouse). */
  locationId: string;
  /** Pickup: the store the customer chose (may differ from locationId after a switch or re-route). */
  requestedStoreId?: string;
  address?: Address;
  /** Delivery: destination point; pickup: optional origin for "nearest store" suggestions. */
  geo?: GeoPoint;
  allowAlternativeStore?: boolean;
  /** Pickup: until when the store holds the goods (from pickup.task.ready). */
  holdUntil?: string;
}

export type PaymentStatus =
  | 'pending'
  | 'authorized'
  | 'captured'
  | 'voided'
  | 'refunded'
  | 'partially_refunded'
  | 'cod_due'
  | 'cod_paid'
  | 'not_required';

export interface PaymentState {
  method: PaymentMethod;
  /** Card: the tokenised card from the client (never a card number). */
  cardToken?: string;
  status: PaymentStatus;
  authorizationId?: string;
  authorized?: Money;
  captured?: Money;
  refunded?: Money;
  /** COD: what the rider collected. */
  codCollected?: Money;
  /** Late-delivery compensation taken off the capture when it happened before capture. */
  captureReduction?: Money;
}

/** A wallet coupon spent on the order (customers holds the wallet; the order holds what it took off). */
export interface CouponState {
  couponId: string;
  /** Taken off the amount due when customers accepted the redemption. */
  discount?: Money;
  redeemed: boolean;
  released: boolean;
}

export interface PointsState {
  requested: number;
  /** Money the points stand for (part of the order total not charged to the payment method). */
  discount: Money;
  /** The redemption was acknowledged by customers. */
  redeemed: boolean;
  refunded: boolean;
  /** Placed by staff: how the member proved presence (customers audited it). */
  presence?: 'member_card' | 'one_time_code';
}

export interface ReservationRef {
  reservationId: string;
  locationId: string;
  status: 'none' | 'active' | 'committed' | 'released';
}

export interface StatusEntry {
  from: OrderStatus;
  to: OrderStatus;
  at: string;
  reason?: string;
}

export interface Failure {
  step: string;
  code: string;
  reason: string;
}

export type WorkflowName =
  | 'place'
  | 'reroute'
  | 'cancel'
  | 'collect'
  | 'hand_to_rider'
  | 'deliver'
  | 'ship'
  | 'compensate_late'
  | 'refund_return'
  | 'refund_voucher'
  | 'cancel_lines';

export type CancelCause = 'customer' | 'ops' | 'no_show' | 'no_route' | 'delivery_failed';

/** Parameters of a queued/running workflow (one shape, fields per workflow). */
export interface WorkflowParams {
  reason?: string;
  /** reroute / collect / hand_to_rider / deliver: the reservation the triggering event was about. */
  reservationId?: string;
  /** reroute: the location the order leaves. */
  fromLocationId?: string;
  cancelCause?: CancelCause;
  actor?: { sub: string; role: string };
  /** deliver: COD cash collected by the rider. */
  codCollected?: Money;
  /** compensate_late */
  minutesLate?: number;
  /** compensate_late: 'fee' (first tier) or the remedy the customer (or the default) chose. */
  lateTier?: 'fee' | LateRemedy;
  chosenBy?: 'customer' | 'default';
  /** refund_return */
  returnId?: string;
  /** refund_voucher: the vouchers service's refund (one per voucher) and its amount. */
  voucherRefund?: { refundId: string; voucherId: string; amount: Money };
  /** cancel_lines: the units to cancel. */
  lines?: Line[];
  /** When the triggering fact happened (event time), for completedAt. */
  at?: string;
  shipment?: ShipmentRequestParams;
}

/** What a ship request (packing at a location, or staff by hand) brings to the ship workflow. */
export interface ShipmentRequestParams {
  /** Set when the parcel was booked outside Omni (the carrier's own number): not tracked here. */
  carrier?: string;
  trackingNumber?: string;
  parcels?: Array<{ parcelId: string; weightGrams: number }>;
  pickListId?: string;
}

export type TrackingStatus = 'label_created' | 'in_transit' | 'out_for_delivery' | 'delivered';

/** The parcel with the carrier: booking, label, parcels and the tracking steps seen so far. */
export interface Shipment extends ShipmentRequestParams {
  /** Hand-over to the carrier. */
  at: string;
  /** Booked through the carrier port (tracked by the carrier-tracking job). */
  labelUrl?: string;
  bookedAt?: string;
  tracking?: Array<{ status: TrackingStatus; at: string }>;
  deliveredAt?: string;
}

export interface QueuedWork {
  workflow: WorkflowName;
  params: WorkflowParams;
  /** Dedup key: a request with a key already queued or running is not queued again. */
  key: string;
  requestedAt: string;
}

export interface SagaState {
  /** Instance id (logs). */
  id: string;
  workflow: WorkflowName;
  key: string;
  params: WorkflowParams;
  phase: 'forward' | 'compensating';
  /** Index of the step to run (forward) or to compensate (backward). */
  step: number;
  /** Attempts of the current step so far. */
  attempts: number;
  failure?: Failure;
  startedAt: string;
}

/** Which saga runner may write the order's saga right now (fencing against a stale instance). */
export interface Lease {
  owner: string;
  /** Epoch ms (wall clock): after it another instance may take over. */
  until: number;
  /** Incremented on every take-over; writes carry it so a stale owner's writes are rejected. */
  fence: number;
}

export type LateRemedy = 'free_order' | 'redelivery';

/**
 * What a late delivery earned the customer. The platform pays first (`paidBy`); `chargeTo` is the
 * location whose lateness it was, for settlement later.
 */
export interface LateCompensation {
  kind: 'refund_delivery_fee' | 'coupon' | LateRemedy;
  /** Money back to the payment method (or, for cash on delivery, the coupon's value). */
  amount: Money;
  minutesLate: number;
  at: string;
  paidBy?: 'platform';
  chargeTo?: string;
  /** A coupon issued to the customer's wallet (customers issues it from the event, by this id). */
  coupon?: { couponId: string; value: Money };
  /** Remedies: who chose it. */
  chosenBy?: 'customer' | 'default';
}

/** How late a delivery is, and past the free-order threshold, the customer's pending choice. */
export interface LateState {
  /** The most minutes beyond the promise reported so far. */
  minutesLate: number;
  reportedAt: string;
  remedy?: {
    offeredAt: string;
    /** After this, the policy's default remedy applies. */
    decideBy: string;
    choice?: LateRemedy;
    chosenBy?: 'customer' | 'default';
    chosenAt?: string;
    /** Free order: what the payment step gave back (or took off the capture). */
    refunded?: Money;
    /** Set when the remedy's workflow completed. */
    compensation?: LateCompensation;
  };
}

export interface Attention {
  code: string;
  reason: string;
  at: string;
}

export interface PurchaseLimitsState {
  /** The customer the units were counted for (kept: a merge may re-point the order later). */
  customerId: string;
  lines: LimitedLine[];
  claimed: boolean;
  released?: boolean;
}

export interface OrderDoc {
  _id: string;
  /** Optimistic concurrency: every write is conditional on it. */
  version: number;
  idempotencyKey: string;
  /** Hash of the placement request: the same key with another body is rejected. */
  requestHash: string;
  placedBy: { sub: string; role: string };
  customerId?: string;
  customerName?: string;
  channel: Channel;
  lines: PricedLine[];
  currency: string;
  subtotal: Money;
  deliveryFee: Money;
  total: Money;
  /** What the payment method is charged: total minus the points discount. */
  amountDue: Money;
  fulfilment: Fulfilment;
  route: RouteDecision;
  routeHistory: RouteDecision[];
  /** Locations tried (or left) for this order; routing skips them. */
  triedLocationIds: string[];
  /** Number of locations tried so far (0 = first); part of reservation ids. */
  routeAttempt: number;
  reservation: ReservationRef;
  /** A re-route in progress: the new location's route and reservation, swapped in on success. */
  pendingRoute?: { route: RouteDecision; reservationId: string; attempt: number; reserved: boolean } | null;
  payment: PaymentState;
  points?: PointsState;
  /** What checkout promised (quote model: domain/promise.ts); absent on orders placed before it. */
  promise?: OrderPromise;
  /** Delivery: the slot booking the promise holds (released on failure or cancellation). */
  slot?: { id: string; released: boolean };
  /** Lines under a per-customer purchase limit, claimed on the counters at placement (saga/steps/limits.ts). */
  purchaseLimits?: PurchaseLimitsState;
  coupon?: CouponState;
  status: OrderStatus;
  statusReason?: string;
  statusHistory: StatusEntry[];
  failure?: Failure;
  /** First tier of late compensation (fee refund or coupon). */
  compensation?: LateCompensation;
  late?: LateState;
  /** Units returned per SKU (requested and received returns). */
  returnedQty: Record<string, number>;
  returns: ReturnRecord[];
  /** Voucher orders: refunds of unused vouchers already paid back (vouchers' refund ids). */
  voucherRefunds?: string[];
  shipment?: Shipment;
  /**
   * Delivery: a rider accepted the job at this store (the parcel is packed or being packed for them).
   * From then on the order is not re-routed for stock at risk; the store is told instead.
   */
  riderAssigned?: { storeId: string; riderId: string; jobId: string; at: string };
  attention: Attention[];
  /** A replacement order of an exchange: the return it replaces and the credit it got from it. */
  exchangeOf?: { orderId: string; returnId: string; credit: Money };
  saga: SagaState | null;
  queue: QueuedWork[];
  lease: Lease | null;
  /** saga or queue non-empty: indexed so a restart finds every order with unfinished work. */
  active: boolean;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  [k: string]: unknown;
}

export interface ReturnLine extends Line {
  reason?: string;
  disposition?: 'restock' | 'write_off';
}

export type ReturnStatus = 'requested' | 'accepted' | 'refused' | 'received' | 'refunded';

/** Who decided something about a return, when, and why. */
export interface Decision {
  by: { sub: string; role: string };
  at: string;
  reason?: string;
}

/**
 * Written-off units of a received return: never refunded automatically; staff decide (refund or not,
 * with a reason) and only then is the return refunded.
 */
export interface WriteOffRefund {
  lines: Line[];
  /** What the written-off units were bought for. */
  value: Money;
  decision: 'pending' | 'refund' | 'no_refund';
  decided?: Decision;
}

/** A return of some lines of a fulfilled order (kept on the order: few per order, changed with it). */
export interface ReturnRecord {
  returnId: string;
  status: ReturnStatus;
  /** Staff accepted or refused the request. */
  decision?: Decision & { accepted: boolean };
  writeOff?: WriteOffRefund;
  /**
   * An exchange: the replacement order and the credit it got; the refund is the returned units'
   * value less the credit (the replacement was paid with it). `creditLeft`: credit not yet set
   * against received units (written-off units decided later use it up).
   */
  exchange?: { replacementOrderId: string; credit: Money; creditLeft?: Money };
  lines: ReturnLine[];
  requestedBy: { sub: string; role: string };
  requestedAt: string;
  /** Where the goods came back (store or warehouse). */
  locationId?: string;
  receivedBy?: { sub: string; role: string };
  receivedAt?: string;
  /** Money to give back for the received lines (computed at receipt, capped at what is refundable). */
  refund?: Money;
  /** How the money went back: card refund, or manual (cash on delivery orders). */
  refundMethod?: 'card' | 'manual' | 'none';
  refundedAt?: string;
}

/** Terminal statuses: nothing changes the order's fulfilment any more (returns aside). */
export const TERMINAL: ReadonlySet<OrderStatus> = new Set(['cancelled', 'failed', 'returned']);
/** Goods reached the customer. */
export const FULFILLED: ReadonlySet<OrderStatus> = new Set(['collected', 'delivered', 'shipped']);
