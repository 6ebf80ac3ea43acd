import { createHash } from 'node:crypto';
import type { CarrierBooking, CarrierPort, ShipmentRequest, TrackingEvent, TrackingStatus } from './port';

export interface SimulatedCarrierOptions {
  /** Time between tracking steps (label → in transit → out for delivery → delivered). */
  stepMs?: number;
  clock?: () => Date;
}

const STEPS: TrackingStatus[] = ['label_created', 'in_transit', 'out_for_delivery', 'delivered'];

/**
 * A carrier that needs no network: the tracking number is derived from the order (booking twice
 * gives the same one), and tracking is a function of the booking time and the clock, so every
 * replica reads the same history without shared memory.
 */
export class SimulatedCarrier implements CarrierPort {
  readonly name = 'simulated-post';
  private readonly stepMs: number;
  private readonly clock: () => Date;

  constructor(opts: SimulatedCarrierOptions = {}) {
    this.stepMs = opts.stepMs ?? 60_000;
    this.clock = opts.clock ?? (() => new Date());
  }

  async book(req: ShipmentRequest): Promise<CarrierBooking> {
    const digest = createHash('sha256').update(`${req.orderId}|${req.fromLocationId}`).digest('hex');
    const trackingNumber = `SP${digest.slice(0, 12).toUpperCase()}`;
    return {
      carrier: this.name,
      trackingNumber,
      labelUrl: `https://carrier.invalid/labels/${trackingNumber}.pdf`,
      bookedAt: this.clock().toISOString(),
    };
  }

  async track(booking: CarrierBooking): Promise<TrackingEvent[]> {
    const start = Date.parse(booking.bookedAt);
    const elapsed = this.clock().getTime() - start;
    const reached = Math.min(STEPS.length - 1, Math.floor(elapsed / this.stepMs));
    return STEPS.slice(0, Math.max(0, reached) + 1).map((status, i) => ({
      status,
      at: new Date(start + i * this.stepMs).toISOString(),
    }));
  }
}
