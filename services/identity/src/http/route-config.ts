import type { FastifyRequest } from 'fastify';
import { UnauthorizedError, type Principal } from '@omni/kit';
import type { Restriction } from '../app/access-tokens';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Restricted tokens (expired password, MFA enrolment pending) may call this route. */
    allowRestricted?: Restriction[];
  }
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}

/** Responses carrying secrets are never cached (routes also set `config.idempotency: false`). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
