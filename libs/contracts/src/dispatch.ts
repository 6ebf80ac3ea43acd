import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { GeoPoint, Id, IsoTime, Money } from './common';

/** Topic `omni.dispatch.delivery`, key = orderId. */
const topic = 'omni.dispatch.delivery';

const JobRef = { jobId: Id, orderId: Id, storeId: Id };

export const DeliveryJobCreated = defineEvent({
  type: 'omni.dispatch.delivery.job-created.v1',
  topic,
  description: 'A delivery job was created for a confirmed local-delivery order.',
  schema: Type.Object({ ...JobRef, promisedAt: IsoTime, destination: GeoPoint }),
});

export const StoreRejected = defineEvent({
  type: 'omni.dispatch.delivery.store-rejected.v1',
  topic,
  description:
    'The store rejected the delivery job or did not confirm it in time; orders re-routes to the next store.',
  schema: Type.Object({ ...JobRef, reason: Type.String(), timedOut: Type.Boolean() }),
});

export const DeliveryAssigned = defineEvent({
  type: 'omni.dispatch.delivery.assigned.v1',
  topic,
  description: 'A rider accepted the offer.',
  schema: Type.Object({ ...JobRef, riderId: Id, etaAt: IsoTime, batched: Type.Boolean() }),
});

export const DeliveryPickedUp = defineEvent({
  type: 'omni.dispatch.delivery.picked-up.v1',
  topic,
  description: 'The rider scanned the parcel at the store: out for delivery.',
  schema: Type.Object({ ...JobRef, riderId: Id, at: IsoTime }),
});

export const DeliveryDelivered = defineEvent({
  type: 'omni.dispatch.delivery.delivered.v1',
  topic,
  description: 'Delivered with proof (code, or photo + geo check). Carries cash collected for COD orders.',
  schema: Type.Object({
    ...JobRef,
    riderId: Id,
    at: IsoTime,
    proof: Type.Union([Type.Literal('code'), Type.Literal('photo')]),
    codCollected: Type.Optional(Money),
  }),
});

export const DeliveryFailed = defineEvent({
  type: 'omni.dispatch.delivery.failed.v1',
  topic,
  description: 'A delivery attempt failed; the goods return to the store.',
  schema: Type.Object({ ...JobRef, riderId: Id, reason: Type.String() }),
});

export const DeliveryLate = defineEvent({
  type: 'omni.dispatch.delivery.late.v1',
  topic,
  description: 'The delivery passed its promised time (SLA); orders applies the compensation policy.',
  schema: Type.Object({ ...JobRef, promisedAt: IsoTime, minutesLate: Type.Integer({ minimum: 1 }) }),
});

export const NoRiderAvailable = defineEvent({
  type: 'omni.dispatch.delivery.no-rider.v1',
  topic,
  description: 'No rider could be found after the retries; an alert for ops.',
  schema: Type.Object({ ...JobRef, attempts: Type.Integer() }),
});

/** Topic `omni.dispatch.zone`, key = zoneId. */
const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 2 });
const PolygonRings = Type.Array(Type.Array(Position, { minItems: 4, maxItems: 5_000 }), {
  minItems: 1,
  maxItems: 50,
});

export const DeliveryZoneChanged = defineEvent({
  type: 'omni.dispatch.zone.changed.v1',
  topic: 'omni.dispatch.zone',
  description:
    "A delivery zone was created, replaced or deleted: its whole current state (dispatch is the source of truth for where local delivery goes). Orders projects it to quote and place delivery orders: a point is served by a zone's store when the trip, at the reference vehicle's speed and the detour factor, is within maxTripMinutes; slotCapacity deliveries per store per slot of slotMinutes. Apply only a version above the one held.",
  schema: Type.Object({
    zoneId: Id,
    /** Increases with every change of the zone (a delete carries the last version + 1). */
    version: Type.Integer({ minimum: 1 }),
    deleted: Type.Boolean(),
    city: Type.String(),
    name: Type.String(),
    area: Type.Union([
      Type.Object({ type: Type.Literal('Polygon'), coordinates: PolygonRings }),
      Type.Object({
        type: Type.Literal('MultiPolygon'),
        coordinates: Type.Array(PolygonRings, { maxItems: 50 }),
      }),
    ]),
    stores: Type.Array(Type.Object({ storeId: Id, geo: GeoPoint }), { maxItems: 200 }),
    active: Type.Boolean(),
    /** The single-trip limit from store to door (default 30). */
    maxTripMinutes: Type.Integer({ minimum: 1 }),
    /** Speed of the zone's reference vehicle and the road detour factor: trip = km × detour ÷ speed. */
    travel: Type.Object({
      speedKmh: Type.Number({ exclusiveMinimum: 0 }),
      detourFactor: Type.Number({ minimum: 1 }),
    }),
    /** Delivery slots: length, and deliveries each store of the zone can take per slot (rider capacity). */
    slotMinutes: Type.Integer({ minimum: 15, maximum: 240 }),
    slotCapacity: Type.Integer({ minimum: 0 }),
  }),
});

export const dispatchEvents = [
  DeliveryZoneChanged,
  DeliveryJobCreated,
  StoreRejected,
  DeliveryAssigned,
  DeliveryPickedUp,
  DeliveryDelivered,
  DeliveryFailed,
  DeliveryLate,
  NoRiderAvailable,
];
