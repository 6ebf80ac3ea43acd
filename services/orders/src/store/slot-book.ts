import type { Session } from '@omni/store';
import type { OrdersCollections, SlotDoc } from './collections';

/** One delivery slot of one store in one zone, with the capacity the zone gives it. */
export interface SlotRef {
  zoneId: string;
  storeId: string;
  from: string;
  to: string;
  capacity: number;
}

export const slotIdOf = (s: Pick<SlotRef, 'zoneId' | 'storeId' | 'from'>): string =>
  `${s.zoneId}|${s.storeId}|${s.from}`;

/**
 * Delivery slot bookings. Dispatch gives each zone's stores a capacity per slot (its riders); orders
 * counts the deliveries it promised against it. Booking is one conditional update (`booked` below
 * capacity and the order not in yet), so concurrent placements can never overbook; booking and
 * releasing are idempotent per order.
 */
export class SlotBook {
  constructor(private readonly cols: OrdersCollections) {}

  /** Deliveries booked per slot id (absent: none). */
  async booked(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const docs = await this.cols.slots.find({ _id: { $in: ids } });
    return new Map(docs.map((d) => [d._id, d.booked]));
  }

  /** Books the slot for the order in `session`: 'full' when it has no room (and the order is not in). */
  async book(session: Session, slot: SlotRef, orderId: string): Promise<'booked' | 'full'> {
    const _id = slotIdOf(slot);
    await this.cols.slots.updateOne(
      { _id },
      {
        $setOnInsert: {
          zoneId: slot.zoneId,
          storeId: slot.storeId,
          from: slot.from,
          to: slot.to,
          capacity: slot.capacity,
          booked: 0,
          orderIds: [],
        },
      },
      { session, upsert: true },
    );
    const res = await this.cols.slots.updateOne(
      { _id, booked: { $lt: slot.capacity }, orderIds: { $ne: orderId } },
      { $inc: { booked: 1 }, $push: { orderIds: orderId } },
      { session },
    );
    if (res.matchedCount === 1) return 'booked';
    const doc: SlotDoc | null = await this.cols.slots.findById(_id, { session });
    return doc?.orderIds.includes(orderId) ? 'booked' : 'full';
  }

  /**
   * Moves an order's booking to another store's same slot (the order was re-routed): the promise was
   * made, so the new store's slot counts it even above capacity (it then offers that slot to nobody
   * else). Idempotent per order.
   */
  async move(fromSlotId: string, to: Omit<SlotRef, 'capacity'>, orderId: string): Promise<string> {
    const _id = slotIdOf(to);
    if (_id === fromSlotId) return _id;
    await this.cols.slots.updateOne(
      { _id },
      {
        $setOnInsert: {
          zoneId: to.zoneId,
          storeId: to.storeId,
          from: to.from,
          to: to.to,
          booked: 0,
          orderIds: [],
        },
      },
      { upsert: true },
    );
    await this.cols.slots.updateOne(
      { _id, orderIds: { $ne: orderId } },
      { $inc: { booked: 1 }, $push: { orderIds: orderId } },
    );
    await this.release(fromSlotId, orderId);
    return _id;
  }

  /** Gives the order's place back (nothing when it holds none). */
  async release(slotId: string, orderId: string): Promise<void> {
    await this.cols.slots.updateOne(
      { _id: slotId, orderIds: orderId },
      { $inc: { booked: -1 }, $pull: { orderIds: orderId } },
    );
  }
}
