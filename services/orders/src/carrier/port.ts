/**
 * The carrier port: booking a parcel shipment (label + tracking number) and reading its tracking.
 * Adapters: `SimulatedCarrier` (default, embedded runs and tests); a real carrier's API goes behind
 * the same two calls.
 */

export type TrackingStatus = 'label_created' | 'in_transit' | 'out_for_delivery' | 'delivered';

export interface TrackingEvent {
  status: TrackingStatus;
  at: string;
}

export interface CarrierBooking {
  carrier: string;
  trackingNumber: string;
  /** Where the label can be printed from (a URL, or a data reference). */
  labelUrl: string;
  bookedAt: string;
}

export interface ShipmentRequest {
  /** Idempotency: the same order books the same shipment. */
  orderId: string;
  fromLocationId: string;
  parcels: Array<{ parcelId: string; weightGrams: number }>;
  to?: { city: string; postalCode: string; country: string };
}

export interface CarrierPort {
  readonly name: string;
  book(req: ShipmentRequest, opts: { deadlineMs: number }): Promise<CarrierBooking>;
  /** Every tracking event so far, oldest first. */
  track(booking: CarrierBooking, opts: { deadlineMs: number }): Promise<TrackingEvent[]>;
}
