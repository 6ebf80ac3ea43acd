import { Type } from 'typebox';
import { ForbiddenError, idSchema, requirePrincipal, StoreId, withCursor } from '@omni/kit';
import { type Collection, type Doc, type Filter, type Page } from '@omni/store';
import type { FastifyRequest } from 'fastify';
import { JOB_STATUSES } from '../domain/job';
import { VEHICLES } from '../domain/travel';

export const Id = idSchema('A-Za-z0-9._~:-', 128);
/** `<orderId>~<routeAttempt>`. */
export const JobId = idSchema('A-Za-z0-9._~:-', 200);
export const GeoPoint = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false },
);
export const Money = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    currency: Type.String({ maxLength: 3, pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
);
export const Vehicle = Type.Union(VEHICLES.map((v) => Type.Literal(v)));
export const JobStatus = Type.Union(JOB_STATUSES.map((s) => Type.Literal(s)));

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 2 });
const Ring = Type.Array(Position, { minItems: 4, maxItems: 5_000 });
const PolygonRings = Type.Array(Ring, { minItems: 1, maxItems: 50 });
export const Area = Type.Union([
  Type.Object({ type: Type.Literal('Polygon'), coordinates: PolygonRings }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('MultiPolygon'),
      coordinates: Type.Array(PolygonRings, { minItems: 1, maxItems: 50 }),
    },
    { additionalProperties: false },
  ),
]);

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const JobParams = Type.Object({ jobId: JobId });
export const StoreJobParams = Type.Object({ storeId: StoreId, jobId: JobId });

/** Cursor pages; a cursor that was not ours is the client's mistake (400), not ours (500). */
export async function pageOf<T extends Doc, V>(
  col: Collection<T>,
  filter: Filter,
  q: { limit: number; cursor?: string },
  view: (d: T) => V,
  sortField?: string,
): Promise<Page<V>> {
  const page = await withCursor(() =>
    col.page(filter, { limit: q.limit, cursor: q.cursor ?? null, ...(sortField ? { sortField } : {}) }),
  );
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

/** The rider id of a rider token (routes under /v1/riders/me act on it and nothing else). */
export function meRiderId(req: FastifyRequest): string {
  const p = requirePrincipal(req);
  if (p.role !== 'rider' || !p.riderId)
    throw new ForbiddenError(`${p.role} ${p.sub} is not a rider (no riderId in the token)`);
  return p.riderId;
}

/** For routes whose JSON body is optional: no body at all is validated as `{}`. */
export async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}
