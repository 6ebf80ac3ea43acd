import {
  actorOf,
  authorize,
  can,
  ForbiddenError,
  mayReadStore,
  readableStores,
  requirePrincipal,
  type Permission,
  type Principal,
} from '@omni/kit';
import type { FastifyRequest } from 'fastify';
import type { Actor, ReservationDoc } from '../domain/types';
import { unknownReservation } from '../app/errors';

/** Actor plus request metadata, for audited use cases. */
export function auditedBy(req: FastifyRequest): { actor: Actor; ip: string; requestId: string } {
  return { actor: actorOf(req), ip: req.ip, requestId: req.id };
}

/** Passes when the caller has any of the permissions (e.g. reservation reads: reserve or read). */
export function authorizeAny(
  req: FastifyRequest,
  permissions: Permission[],
  scope: { storeId?: string } = {},
): Principal {
  const p = requirePrincipal(req);
  if (permissions.some((perm) => can(p, perm, scope))) return p;
  return authorize(p, permissions[0]!, scope);
}

/** Ledger-wide operations (reconcile, exception lists) are for operators only. */
export function requireOps(req: FastifyRequest): Principal {
  const p = requirePrincipal(req);
  if (p.role !== 'ops') throw new ForbiddenError(`${p.role} ${p.sub} may not run inventory operations`);
  return p;
}

/** Route scope: the location in the path is the store the caller must be bound to. */
export const locationScope = (req: FastifyRequest) => ({
  storeId: (req.params as { locationId: string }).locationId,
});
export const storeScope = (req: FastifyRequest) => ({ storeId: (req.params as { storeId: string }).storeId });

/**
 * The locations a list must be limited to for this caller: undefined when the caller sees every
 * location (ops, unbound service clients), else the caller's stores (possibly none).
 */
export function visibleLocations(p: Principal, permission: Permission): string[] | undefined {
  const stores = readableStores(p, permission);
  return stores === 'all' ? undefined : [...stores];
}

/**
 * Single reads of a store-scoped object: true when any of the object's locations is one of the
 * caller's stores under any of the permissions. Callers answer 404 otherwise, so another store's
 * object is indistinguishable from one that does not exist.
 */
export function mayReadAny(p: Principal, permissions: Permission[], locationIds: string[]): boolean {
  return permissions.some((perm) => locationIds.some((id) => mayReadStore(p, perm, id)));
}

/** Permissions under which a reservation may be seen (checkout backends reserve, staff read). */
const RESERVATION_READERS: Permission[] = ['inventory:reserve', 'inventory:read'];

/**
 * A reservation as this caller may see it: one at another store than the caller's answers 404 like
 * an unknown id. `permissions` narrows who may act on it (commit/release need inventory:reserve).
 */
export async function visibleReservation(
  p: Principal,
  load: (id: string) => Promise<ReservationDoc>,
  reservationId: string,
  permissions: Permission[] = RESERVATION_READERS,
): Promise<ReservationDoc> {
  const res = await load(reservationId);
  if (!mayReadAny(p, permissions, [res.locationId])) throw unknownReservation(reservationId);
  return res;
}
