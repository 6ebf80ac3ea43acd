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

export const dispatchEvents = [
  DeliveryJobCreated,
  StoreRejected,
  DeliveryAssigned,
  DeliveryPickedUp,
  DeliveryDelivered,
  DeliveryFailed,
  DeliveryLate,
  NoRiderAvailable,
];
