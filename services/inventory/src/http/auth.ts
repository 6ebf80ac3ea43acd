import {
  authorize,
  can,
  ForbiddenError,
  UnauthorizedError,
  type Permission,
  type Principal,
} from '@omni/kit';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/types';

/** The authenticated caller of a route whose permission check already ran. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}

export function actorOf(req: FastifyRequest): Actor {
  const p = principalOf(req);
  return { sub: p.sub, role: p.role };
}

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
  const p = principalOf(req);
  if (permissions.some((perm) => can(p, perm, scope))) return p;
  return authorize(p, permissions[0]!, scope);
}

/** Ledger-wide operations (reconcile, exception lists) are for operators only. */
export function requireOps(req: FastifyRequest): Principal {
  const p = principalOf(req);
  if (p.role !== 'ops') throw new ForbiddenError(`${p.role} ${p.sub} may not run inventory operations`);
  return p;
}

/** Route scope: the location in the path is the store the caller must be bound to. */
export const locationScope = (req: FastifyRequest) => ({
  storeId: (req.params as { locationId: string }).locationId,
});
export const storeScope = (req: FastifyRequest) => ({ storeId: (req.params as { storeId: string }).storeId });
