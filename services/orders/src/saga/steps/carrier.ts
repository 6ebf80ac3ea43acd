import type { Step } from '../types';

/**
 * Ship: book the parcel with the carrier (label + tracking number). Skipped when the shipment was
 * booked outside Omni (a tracking number came with the request). Idempotent: the carrier books an
 * order once, and a booking already saved on the order is not asked for again.
 */
export const bookCarrier: Step = {
  name: 'book_carrier',
  when: (o) => !o.saga?.params.shipment?.trackingNumber && !o.shipment?.bookedAt,
  async run(ctx, o) {
    const parcels = o.saga?.params.shipment?.parcels ?? [];
    const booking = await ctx.carrier.book(
      {
        orderId: o._id,
        fromLocationId: o.fulfilment.locationId,
        parcels,
        ...(o.fulfilment.address
          ? {
              to: {
                city: o.fulfilment.address.city,
                postalCode: o.fulfilment.address.postalCode,
                country: o.fulfilment.address.country,
              },
            }
          : {}),
      },
      { deadlineMs: ctx.remainingMs() },
    );
    return (x) => ({
      ...x,
      shipment: {
        ...x.saga?.params.shipment,
        carrier: booking.carrier,
        trackingNumber: booking.trackingNumber,
        labelUrl: booking.labelUrl,
        bookedAt: booking.bookedAt,
        tracking: [],
        at: booking.bookedAt,
      },
    });
  },
};
