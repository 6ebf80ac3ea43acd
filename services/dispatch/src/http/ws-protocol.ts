import { Type, type Static } from 'typebox';

/**
 * The rider WebSocket protocol (`/v1/riders/me/ws`): JSON text frames, one message each.
 * Client messages may carry an `id`; the server answers each with `ack` (same id) or `error`.
 */

const GeoPoint = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
});
const CorrelationId = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));
const JobId = Type.String({ minLength: 1, maxLength: 200 });

export const ClientMessage = Type.Union([
  Type.Object(
    {
      type: Type.Literal('location'),
      id: CorrelationId,
      lat: GeoPoint.properties.lat,
      lng: GeoPoint.properties.lng,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('offer.accept'), id: CorrelationId, jobId: JobId },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('offer.decline'),
      id: CorrelationId,
      jobId: JobId,
      reason: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('ping'), id: CorrelationId }, { additionalProperties: false }),
]);
export type ClientMessage = Static<typeof ClientMessage>;

export const OfferView = Type.Object({
  jobId: Type.String(),
  orderId: Type.String(),
  storeId: Type.String(),
  pickup: GeoPoint,
  dropoff: GeoPoint,
  promisedAt: Type.String(),
  /** When the parcel is (expected to be) ready at the store. */
  readyAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.String(),
  /** Estimated drop time if accepted. */
  etaAt: Type.String(),
  /** Taken on top of jobs the rider already holds. */
  batched: Type.Boolean(),
  /** Nobody could make the promised time; this is the soonest. */
  late: Type.Boolean(),
});
export type OfferView = Static<typeof OfferView>;

export type ServerMessage =
  | { type: 'hello'; riderId: string; status: string; onDuty: boolean; offer: OfferView | null }
  | { type: 'offer'; offer: OfferView }
  | { type: 'offer.expired'; jobId: string }
  | { type: 'offer.withdrawn'; jobId: string; reason: string }
  | { type: 'job.ready'; jobId: string }
  | { type: 'job.cancelled'; jobId: string; reason: string; returnToStore: boolean }
  | { type: 'ack'; id?: string; result?: unknown }
  | { type: 'error'; id?: string; problem: { type: string; title: string; status: number; detail?: string } }
  | { type: 'pong'; id?: string };
