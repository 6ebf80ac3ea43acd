import { can, UnauthorizedError } from '@omni/kit';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../app/context';

/** The authenticated caller of a write route (the route's permission check already ran). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.principal) throw new UnauthorizedError();
  return { sub: req.principal.sub, role: req.principal.role };
}

/** Whether the caller may see drafts (catalog writers); anonymous storefront reads may not. */
export function canSeeDrafts(req: FastifyRequest): boolean {
  return !!req.principal && can(req.principal, 'catalog:write');
}
