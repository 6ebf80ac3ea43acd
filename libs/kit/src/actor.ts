import type { FastifyRequest } from 'fastify';
import type { Principal } from './auth';
import { UnauthorizedError } from './errors';

/**
 * Who acts in a use case: an authenticated principal, or a system job (sweeps, event handlers,
 * seeds). Use cases take an Actor, not a Principal, so jobs can act without a token.
 */
export interface Actor {
  sub: string;
  role: string;
}

/**
 * The request's principal, or 401. Routes whose permission check already ran still call it, so a
 * route that forgot its check fails closed instead of reading `undefined`.
 */
export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}

/** The request's caller as an Actor (401 without a principal). */
export function actorOf(req: FastifyRequest): Actor {
  const p = requirePrincipal(req);
  return { sub: p.sub, role: p.role };
}
